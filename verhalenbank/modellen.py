"""Every model module, imported in one place so metadata (and Alembic) sees all tables.

It names every domain, so it sits at the top beside app.py and cli.py (core knows no domain):
create_app() and migrations/env.py import it."""

from verhalenbank.accounts import models as accounts_models  # noqa: F401
from verhalenbank.core import jobs as jobs_models  # noqa: F401
from verhalenbank.doelenbomen import models as doelenbomen_models  # noqa: F401
from verhalenbank.media import models as media_models  # noqa: F401
from verhalenbank.nlp import models as nlp_models  # noqa: F401
from verhalenbank.pakketten import models as pakketten_models  # noqa: F401
from verhalenbank.rondes import models as rondes_models  # noqa: F401
from verhalenbank.transcripten import models as transcripten_models  # noqa: F401
from verhalenbank.verhalen import models as verhalen_models  # noqa: F401
from verhalenbank.zoeken import models as zoeken_models  # noqa: F401
from verhalenbank.waarderen import models as waarderen_models  # noqa: F401
