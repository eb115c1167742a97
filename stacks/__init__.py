"""The cdktf app: one stack per deployable architecture (``single-dc``, ``multi-dc``, ``multi-dc-local``), built
from the settings in ``cdktf.json`` (``settings``, the only reader of that file and the environment) and the
profile (``profiles``). ``python -m stacks`` synthesizes every configured architecture."""
