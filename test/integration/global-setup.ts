// Integration tests run real redis-server processes: find it (or install it when root on Debian)
// once, before any suite starts, so a missing binary fails with one clear message.
import { ensureRedisServer } from '../../cli/local/redis-server-binary';

export default async function globalSetup(): Promise<void> {
  const bin = await ensureRedisServer({ log: (line) => process.stderr.write(`${line}\n`) });
  process.env.REDIS_SERVER = bin;
}
