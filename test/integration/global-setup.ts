// Integration tests run real redis-server processes: find it (or install it when root on Debian)
// once, before any suite starts, so a missing binary fails with one clear message. REDIS_SERVER picks
// another build (`npm run test:versions` sets it per version); every suite starts its servers from it.
import { ensureRedisServer, serverRelease } from '../../cli/local/redis-server-binary';
import { serverLabel } from '../../lambdas/core/server-version';

export default async function globalSetup(): Promise<void> {
  const bin = await ensureRedisServer({ log: (line) => process.stderr.write(`${line}\n`) });
  process.env.REDIS_SERVER = bin;
  process.stderr.write(`\nintegration tests run on ${serverLabel(await serverRelease(bin))} (${bin})\n`);
}
