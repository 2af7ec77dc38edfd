/**
 * Cold-start baseline: the least a server of this stack does before answering, Node + tsx
 * loading fastify and answering GET /readyz on the given port. Nothing else.
 */
import Fastify from 'fastify';

const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ ready: true }));
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
