from .sync import make_lock, shared_limiter
