// A local HTTP server standing in for AWS Secrets Manager (AWS_ENDPOINT_URL_SECRETS_MANAGER; the JSON
// protocol: POST with `X-Amz-Target: secretsmanager.GetSecretValue`), for bundled handlers, which carry
// their own AWS SDK and cannot be mocked from the test process.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class SecretsStandIn {
  readonly #server: Server;
  readonly reads: string[] = [];

  private constructor(
    server: Server,
    readonly secrets: Map<string, string>,
  ) {
    this.#server = server;
  }

  static async start(secrets: Record<string, string>): Promise<SecretsStandIn> {
    const map = new Map(Object.entries(secrets));
    let standIn: SecretsStandIn | null = null;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const reply = (status: number, value: unknown) =>
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
        if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
          reply(400, { __type: 'InvalidRequestException', message: 'unsupported' });
          return;
        }
        const id = (JSON.parse(body) as { SecretId?: string }).SecretId ?? '';
        (standIn as SecretsStandIn).reads.push(id);
        const value = map.get(id);
        if (value === undefined) {
          reply(400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
          return;
        }
        reply(200, {
          ARN: id,
          Name: id.split(':').pop(),
          SecretString: value,
          VersionId: 'v1',
          CreatedDate: 1,
        });
      });
    });
    standIn = new SecretsStandIn(server, map);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
