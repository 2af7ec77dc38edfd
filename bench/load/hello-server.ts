/**
 * The baseline of bench/commands.ts: bare fastify answering a hello world, nothing else (no
 * logger, no validation, no store), in a process of its own.
 *   node --import tsx bench/load/hello-server.ts <port>
 */
import Fastify from 'fastify';

const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.stdout.write('ready\n');
