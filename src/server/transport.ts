/**
 * The server's transport, chosen from the command line as `createConnection()` does (`--stdio`,
 * `--node-ipc`, `--socket=N`, `--pipe=NAME`), but built here so that the message reader is ours to
 * watch: broken framing (a header without a usable `Content-Length`, a garbage header line, a body
 * that is not JSON) makes the reader report an error, after which the stream can never be read in
 * step again. Then the server exits with status 1, so the client notices and restarts it, instead
 * of waiting forever for a message that will not come. A message left incomplete for
 * `STALLED_MESSAGE_MS` (a `Content-Length` larger than what was sent) counts as broken framing too.
 * The end of the input stream ends the server (status 0 after `shutdown`, else 1), as LSP says.
 */
import {
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  createServerPipeTransport,
  createServerSocketTransport,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { errorMessage } from './errors';

/** How long a message may stay incomplete before the framing is considered broken. */
export const STALLED_MESSAGE_MS = 30_000;

export interface Transport {
  reader: MessageReader;
  writer: MessageWriter;
  /** Standard output carries the protocol: `console.log` must not write to it. */
  stdio: boolean;
}

function argValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

/** The transport the command line asks for; undefined when it names none. */
export function transportFromArgs(argv: readonly string[] = process.argv.slice(2)): Transport | undefined {
  if (argv.includes('--stdio')) return { reader: new StreamMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout), stdio: true };
  if (argv.includes('--node-ipc')) return { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process), stdio: false };
  const port = argValue(argv, '--socket');
  if (port !== undefined && Number.isSafeInteger(Number(port))) {
    const [reader, writer] = createServerSocketTransport(Number(port));
    return { reader, writer, stdio: false };
  }
  const pipe = argValue(argv, '--pipe');
  if (pipe !== undefined) {
    const [reader, writer] = createServerPipeTransport(pipe);
    return { reader, writer, stdio: false };
  }
  return undefined;
}

export interface WatchOptions {
  /** Whether `shutdown` was received (the exit status at the end of the input is then 0). */
  shutdownReceived: () => boolean;
  exit: (code: number) => void;
  log: (message: string) => void;
  stalledMessageMs?: number;
}

/** Exit on broken framing, on a message stalled half-way, and at the end of the input. */
export function watchReader(reader: MessageReader, options: WatchOptions): void {
  let exiting = false;
  const exit = (code: number, why: string): void => {
    if (exiting) return;
    exiting = true;
    options.log(why);
    options.exit(code);
  };
  reader.onError((err) => {
    const message = errorMessage(err);
    exit(1, `anyio-migrate: broken message framing from the client (${message.split('\n')[0]}); exiting so the client restarts the server`);
  });
  const stalledMs = options.stalledMessageMs ?? STALLED_MESSAGE_MS;
  const stream = reader as MessageReader & { partialMessageTimeout?: number };
  if (stalledMs > 0 && 'partialMessageTimeout' in stream) {
    stream.partialMessageTimeout = stalledMs;
    reader.onPartialMessage((info) => {
      exit(1, `anyio-migrate: a message from the client stayed incomplete for ${info.waitingTime} ms (wrong Content-Length?); exiting so the client restarts the server`);
    });
  }
  reader.onClose(() => exit(options.shutdownReceived() ? 0 : 1, 'anyio-migrate: the client closed the connection'));
}
