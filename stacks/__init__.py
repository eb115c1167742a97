"""The cdktf app: one stack per deployable architecture (``single-dc``, ``multi-dc``, ``multi-dc-local``), built
from the settings in ``cdktf.json`` (``loader``, the only reader of that file and the environment) and the
profile (``profiles``). ``python -m stacks`` synthesizes every configured architecture."""

from constructs_lib import provider_import

# Before any module of this package imports the provider bindings: they then load only the resources the stacks
# use (constructs_lib.provider_import says how and why).
provider_import.install()
