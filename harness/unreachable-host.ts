// A test host that cannot be reached: a network namespace of our own whose only link is down.
// Connecting to its address fails at once ("No route to host"); no packet leaves the machine.
import { execFileSync } from 'node:child_process';

export interface UnreachableHost {
  address: string;
  remove(): void;
}

const run = (args: string[]) => execFileSync('ip', args, { stdio: 'pipe', timeout: 10_000 });

export function createUnreachableHost(): UnreachableHost {
  const suffix = String(process.pid % 10_000);
  const namespace = `iop-down-${suffix}`;
  const outside = `iopd${suffix}a`;
  const inside = `iopd${suffix}b`;
  const address = '10.213.17.2';
  run(['netns', 'add', namespace]);
  run(['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
  run(['link', 'set', inside, 'netns', namespace]);
  run(['netns', 'exec', namespace, 'ip', 'addr', 'add', `${address}/30`, 'dev', inside]);
  run(['netns', 'exec', namespace, 'ip', 'link', 'set', inside, 'up']);
  // Never let a packet for this address leave the machine by the default route: the subnet is
  // marked unreachable before the link exists on this side, and the link stays down.
  run(['route', 'add', 'unreachable', '10.213.17.0/30']);
  run(['addr', 'add', '10.213.17.1/30', 'dev', outside]);
  run(['link', 'set', outside, 'down']);
  return {
    address,
    remove() {
      try {
        run(['route', 'del', 'unreachable', '10.213.17.0/30']);
      } catch {
        // Already gone.
      }
      try {
        run(['link', 'del', outside]);
      } catch {
        // Deleting the namespace removes the pair too.
      }
      run(['netns', 'del', namespace]);
    },
  };
}
