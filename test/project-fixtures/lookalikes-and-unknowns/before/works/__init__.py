from .jobs import Pool
