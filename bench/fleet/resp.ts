// RESP2 for the fleet simulator: a streaming parser for what clients send (arrays of bulk strings,
// pipelined) and an encoder for replies. Only what redis clients send and what the probe reads.

export type Reply =
  | string
  | number
  | null
  | readonly Reply[]
  | { readonly error: string }
  | { readonly status: string };

/** Parses pipelined commands out of a growing buffer; keeps the incomplete tail for the next chunk. */
export class CommandParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.parseOne();
      if (parsed === null) break;
      commands.push(parsed);
    }
    return commands;
  }

  /** One complete command from the start of the buffer, or null when more bytes are needed. */
  private parseOne(): string[] | null {
    const buf = this.buffer;
    if (buf.length === 0) return null;
    let pos = 0;
    const line = (): string | null => {
      const end = buf.indexOf('\r\n', pos);
      if (end < 0) return null;
      const text = buf.toString('latin1', pos, end);
      pos = end + 2;
      return text;
    };
    const head = line();
    if (head === null) return null;
    if (!head.startsWith('*')) {
      // Inline command (redis-cli style): words separated by spaces.
      this.buffer = buf.subarray(pos);
      return head.trim().split(/\s+/).filter(Boolean);
    }
    const count = Number(head.slice(1));
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const size = line();
      if (size === null || !size.startsWith('$')) return null;
      const n = Number(size.slice(1));
      if (buf.length < pos + n + 2) return null;
      args.push(buf.toString('utf8', pos, pos + n));
      pos += n + 2;
    }
    this.buffer = buf.subarray(pos);
    return args;
  }
}

export function encode(reply: Reply): string {
  if (reply === null) return '$-1\r\n';
  if (typeof reply === 'number') return `:${reply}\r\n`;
  if (typeof reply === 'string') return `$${Buffer.byteLength(reply)}\r\n${reply}\r\n`;
  if (Array.isArray(reply)) return `*${reply.length}\r\n${reply.map(encode).join('')}`;
  if ('error' in reply) return `-${reply.error}\r\n`;
  return `+${(reply as { status: string }).status}\r\n`;
}
