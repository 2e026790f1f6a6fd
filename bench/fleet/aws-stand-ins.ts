// The AWS side of the fleet bench, on 127.0.0.1: dynalite as DynamoDB behind a proxy that counts
// every request and sizes every item written (DynamoDB's own rules, so write units are the billed
// ones), and a stand-in for SNS Publish (the query protocol) that records each alert and when it came.

import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';

/** One DynamoDB attribute value, `{ S: "..." }`, `{ B: ... }`: the wire JSON or the SDK's own objects. */
type AttributeValue = object;

/** Bytes DynamoDB bills for an item: attribute names plus values, by its documented rules. */
export function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(v: AttributeValue): number {
  const [type, raw] = Object.entries(v)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(raw as string);
    case 'N': {
      const digits = String(raw)
        .replace(/[^0-9]/g, '')
        .replace(/^0+/, '').length;
      return Math.ceil(digits / 2) + 1;
    }
    case 'B':
      return binarySize(raw);
    case 'BS':
      return (raw as unknown[]).reduce((n: number, b) => n + binarySize(b), 0);
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (raw as string[]).reduce((n, s) => n + Buffer.byteLength(s), 0);
    case 'NS':
      return (raw as string[]).reduce((n, s) => n + valueSize({ N: s }), 0);
    case 'L':
      return 3 + (raw as AttributeValue[]).reduce((n, x) => n + 1 + valueSize(x), 0);
    case 'M':
      return (
        3 +
        Object.entries(raw as Record<string, AttributeValue>).reduce(
          (n, [k, x]) => n + Buffer.byteLength(k) + 1 + valueSize(x),
          0,
        )
      );
    default:
      return 0;
  }
}

/** A binary's bytes: base64 text on the wire (what the proxy sees), bytes in the SDK's own objects. */
const binarySize = (raw: unknown): number =>
  typeof raw === 'string' ? Buffer.from(raw, 'base64').length : (raw as Uint8Array).length;

export interface WriteRecord {
  readonly at: number;
  readonly operation: string;
  /** `STATE`, `SNAPSHOT`, `DRILL...`, from the sort key. */
  readonly kind: string;
  readonly bytes: number;
  /** Write units: 1 per KB started. */
  readonly units: number;
}

export interface DynamoCounters {
  readonly requests: Record<string, number>;
  readonly writes: WriteRecord[];
  /** Read units of GetItem (strongly consistent: 1 per 4 KB started). */
  readUnits: number;
}

export interface Published {
  readonly at: number;
  readonly attributes: Record<string, string>;
}

export class AwsStandIns {
  readonly counters: DynamoCounters = { requests: {}, writes: [], readUnits: 0 };
  readonly published: Published[] = [];

  private constructor(
    private readonly dynamo: EmbeddedDynamo,
    private readonly proxy: Server,
    private readonly sns: Server,
    readonly tableName: string,
  ) {}

  get dynamoEndpoint(): string {
    return `http://127.0.0.1:${(this.proxy.address() as AddressInfo).port}`;
  }
  get snsEndpoint(): string {
    return `http://127.0.0.1:${(this.sns.address() as AddressInfo).port}`;
  }
  /** Writes and reads as the store sees them, for tests of the table contents. */
  get store() {
    return this.dynamo.store;
  }

  resetCounters(): void {
    this.counters.writes.length = 0;
    for (const k of Object.keys(this.counters.requests)) delete this.counters.requests[k];
    this.counters.readUnits = 0;
  }

  static async start(tableName: string): Promise<AwsStandIns> {
    const dynamo = await startEmbeddedDynamo(tableName);
    const upstream = new URL(dynamo.endpoint);
    let self: AwsStandIns | null = null;
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
        self?.countRequest(operation, body);
        const forward = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (up) => {
            const out: Buffer[] = [];
            up.on('data', (c: Buffer) => out.push(c));
            up.on('end', () => {
              const response = Buffer.concat(out);
              if (operation === 'GetItem') self?.countRead(response);
              res.writeHead(up.statusCode ?? 500, up.headers).end(response);
            });
          },
        );
        forward.on('error', () => res.writeHead(502).end());
        forward.end(body);
      });
    });
    const sns = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const attributes: Record<string, string> = {};
        for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
          attributes[form.get(`MessageAttributes.entry.${i}.Name`) as string] =
            form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
        }
        self?.published.push({ at: Date.now(), attributes });
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
          );
      });
    });
    await Promise.all(
      [proxy, sns].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()))),
    );
    self = new AwsStandIns(dynamo, proxy, sns, tableName);
    return self;
  }

  private countRequest(operation: string, body: Buffer): void {
    this.counters.requests[operation] = (this.counters.requests[operation] ?? 0) + 1;
    if (operation !== 'PutItem' && operation !== 'DeleteItem') return;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as {
        Item?: Record<string, AttributeValue>;
        Key?: Record<string, AttributeValue>;
      };
      const item = parsed.Item ?? parsed.Key ?? {};
      const sk = String((item.sk as { S?: string } | undefined)?.S ?? '');
      const bytes = itemSize(item);
      this.counters.writes.push({
        at: Date.now(),
        operation,
        kind: sk.split('#')[0] || 'unknown',
        bytes,
        units: Math.max(1, Math.ceil(bytes / 1024)),
      });
    } catch {
      // not JSON: not ours to size
    }
  }

  private countRead(response: Buffer): void {
    try {
      const parsed = JSON.parse(response.toString('utf8')) as { Item?: Record<string, AttributeValue> };
      this.counters.readUnits += parsed.Item ? Math.max(1, Math.ceil(itemSize(parsed.Item) / 4096)) : 1;
    } catch {
      // an error reply
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      [this.proxy, this.sns].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    this.proxy.closeAllConnections?.();
    await this.dynamo.close();
  }
}
