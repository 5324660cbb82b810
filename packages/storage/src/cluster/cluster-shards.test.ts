import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from './cluster-shards.js';

// CLUSTER NODES of a 3+3 cluster after one failover (node 3 failed, its replica 6 promoted), with a slot
// being imported on node 1.
const NODES = `a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [100-<-c3]
b2 127.0.0.1:7002@17002 master - 0 1 2 connected 5461-10922
c3 127.0.0.1:7003@17003 master,fail - 1 1 3 disconnected
d4 127.0.0.1:7004@17004 slave b2 0 1 2 connected
e5 127.0.0.1:7005@17005 slave a1 0 1 1 connected
f6 redis-node-6:7006@17006,redis-node-6 master - 0 1 7 connected 10923-16383 42
`;

describe('CLUSTER NODES', () => {
  it('lists the live masters with their slot ranges and addresses, not failed ones or replicas', () => {
    expect(parseClusterNodes(NODES)).toEqual([
      { id: 'a1', host: '127.0.0.1', port: 7001, slots: [[0, 5460]] },
      { id: 'b2', host: '127.0.0.1', port: 7002, slots: [[5461, 10922]] },
      {
        id: 'f6',
        host: 'redis-node-6',
        port: 7006,
        slots: [
          [10923, 16383],
          [42, 42],
        ],
      },
    ]);
  });
});
