"""The composition root: the command line now, the aiohttp service and console later."""
