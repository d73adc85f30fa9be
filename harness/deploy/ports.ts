// Free TCP ports on 127.0.0.1, asked of the kernel (listen on port 0) all at once so that they
// differ from each other. Another process may still take one before our servers bind it; the
// readiness checks then fail with the service's own log in the message.
import net from 'node:net';

function listenOnAnyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export async function pickFreePorts<Name extends string>(
  names: readonly Name[],
): Promise<Record<Name, number>> {
  const servers = await Promise.all(names.map(listenOnAnyPort));
  const ports = {} as Record<Name, number>;
  names.forEach((name, i) => (ports[name] = ((servers[i] as net.Server).address() as net.AddressInfo).port));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
