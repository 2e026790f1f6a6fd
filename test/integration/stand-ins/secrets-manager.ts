// A local HTTP stand-in for AWS Secrets Manager's GetSecretValue (JSON 1.1 protocol: POST / with
// X-Amz-Target: secretsmanager.GetSecretValue), for end-to-end runs through the real SDK with
// AWS_ENDPOINT_URL_SECRETS_MANAGER. Listens on an ephemeral loopback port; records each request.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretRequest {
  readonly target: string;
  readonly secretId: string;
  /** From the SigV4 credential scope: the region the client signed for. */
  readonly region: string | null;
}

export interface SecretsManagerStandIn {
  readonly endpoint: string;
  readonly requests: SecretRequest[];
  close(): Promise<void>;
}

/** `secrets`: ARN -> SecretString. Any other ARN answers ResourceNotFoundException, as AWS does. */
export async function startSecretsManagerStandIn(
  secrets: Readonly<Record<string, string>>,
): Promise<SecretsManagerStandIn> {
  const requests: SecretRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const secretId = String((JSON.parse(body || '{}') as { SecretId?: string }).SecretId ?? '');
      const region =
        /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? null;
      requests.push({ target, secretId, region });
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(json));
      };
      if (target !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'InvalidAction', message: `not supported by the stand-in: ${target}` });
      } else if (secrets[secretId] === undefined) {
        reply(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      } else {
        reply(200, {
          ARN: secretId,
          Name: secretId.split(':secret:')[1],
          SecretString: secrets[secretId],
          VersionId: '00000000-0000-0000-0000-000000000001',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1_700_000_000,
        });
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}
