/**
 * Modules whose objects are known not to be AnyIO's: the standard library (Python's own
 * `sys.stdlib_module_names`, 3.11), and the other async/attrs libraries users combine AnyIO with.
 * A name imported from anywhere else is third-party code we cannot see: its type is unknown, never
 * "not AnyIO" (a library may well hand out AnyIO task groups or events).
 */

const STDLIB: ReadonlySet<string> = new Set([
  '__future__', 'abc', 'aifc', 'antigravity', 'argparse', 'array', 'ast', 'asynchat', 'asyncio',
  'asyncore', 'atexit', 'audioop', 'base64', 'bdb', 'binascii', 'bisect', 'builtins', 'bz2',
  'cProfile', 'calendar', 'cgi', 'cgitb', 'chunk', 'cmath', 'cmd', 'code', 'codecs', 'codeop',
  'collections', 'colorsys', 'compileall', 'concurrent', 'configparser', 'contextlib',
  'contextvars', 'copy', 'copyreg', 'crypt', 'csv', 'ctypes', 'curses', 'dataclasses', 'datetime',
  'dbm', 'decimal', 'difflib', 'dis', 'distutils', 'doctest', 'email', 'encodings', 'ensurepip',
  'enum', 'errno', 'faulthandler', 'fcntl', 'filecmp', 'fileinput', 'fnmatch', 'fractions',
  'ftplib', 'functools', 'gc', 'genericpath', 'getopt', 'getpass', 'gettext', 'glob', 'graphlib',
  'grp', 'gzip', 'hashlib', 'heapq', 'hmac', 'html', 'http', 'idlelib', 'imaplib', 'imghdr', 'imp',
  'importlib', 'inspect', 'io', 'ipaddress', 'itertools', 'json', 'keyword', 'lib2to3',
  'linecache', 'locale', 'logging', 'lzma', 'mailbox', 'mailcap', 'marshal', 'math', 'mimetypes',
  'mmap', 'modulefinder', 'msilib', 'msvcrt', 'multiprocessing', 'netrc', 'nis', 'nntplib', 'nt',
  'ntpath', 'nturl2path', 'numbers', 'opcode', 'operator', 'optparse', 'os', 'ossaudiodev',
  'pathlib', 'pdb', 'pickle', 'pickletools', 'pipes', 'pkgutil', 'platform', 'plistlib', 'poplib',
  'posix', 'posixpath', 'pprint', 'profile', 'pstats', 'pty', 'pwd', 'py_compile', 'pyclbr',
  'pydoc', 'pydoc_data', 'pyexpat', 'queue', 'quopri', 'random', 're', 'readline', 'reprlib',
  'resource', 'rlcompleter', 'runpy', 'sched', 'secrets', 'select', 'selectors', 'shelve', 'shlex',
  'shutil', 'signal', 'site', 'smtpd', 'smtplib', 'sndhdr', 'socket', 'socketserver', 'spwd',
  'sqlite3', 'sre_compile', 'sre_constants', 'sre_parse', 'ssl', 'stat', 'statistics', 'string',
  'stringprep', 'struct', 'subprocess', 'sunau', 'symtable', 'sys', 'sysconfig', 'syslog',
  'tabnanny', 'tarfile', 'telnetlib', 'tempfile', 'termios', 'textwrap', 'this', 'threading',
  'time', 'timeit', 'tkinter', 'token', 'tokenize', 'tomllib', 'trace', 'traceback', 'tracemalloc',
  'tty', 'turtle', 'turtledemo', 'types', 'typing', 'unicodedata', 'unittest', 'urllib', 'uu',
  'uuid', 'venv', 'warnings', 'wave', 'weakref', 'webbrowser', 'winreg', 'winsound', 'wsgiref',
  'xdrlib', 'xml', 'xmlrpc', 'zipapp', 'zipfile', 'zipimport', 'zlib', 'zoneinfo',
]);

/** Non-standard libraries whose objects are never AnyIO objects. */
const NOT_ANYIO_LIBRARIES: ReadonlySet<string> = new Set(['trio', 'curio', 'outcome', 'sniffio', 'attr', 'attrs', 'pydantic', 'pytest', 'typing_extensions', 'trio_typing', 'async_generator', 'uvloop', 'tornado', 'twisted', 'gevent']);

/** Whether the qualified name `q` (`asyncio.Event`, `os.path.join`) belongs to a module known not to be AnyIO. */
export function isKnownNotAnyio(q: string): boolean {
  const root = q.split('.', 1)[0]!;
  return STDLIB.has(root) || NOT_ANYIO_LIBRARIES.has(root) || root === 'builtins';
}

/** Callees that call the callable they are given first (`tg.spawn(f, *args)`, `to_thread.run_sync(f, *args)`). */
export const SPAWNER = /(^|\.)(spawn|start_soon|start|run_sync|run_sync_in_worker_thread|run_async_from_thread|run_sync_from_thread|run|partial|start_task_soon|call)$/;
