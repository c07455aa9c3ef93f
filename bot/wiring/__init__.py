"""How bot/app.py's `ExchangeBotApp` puts the bot together, one module per part: the
exchanger (exchanger.py), the dispatcher and its middlewares (dispatcher.py), what handlers are
given (services.py), the notification loops (notifications.py), the web server (web.py).
"""


class StartupError(Exception):
    """The bot cannot start; the message is one line for the operator."""
