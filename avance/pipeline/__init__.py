import logging

# a library logs, the application decides where to (the CLI: -v, --log-file)
logging.getLogger(__name__).addHandler(logging.NullHandler())
