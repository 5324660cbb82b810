// The shard layout of the cluster pipeline (issue 16): REDIS_SHARDS = 12 under the `{nl}` prefix.
import { shardLayout, type ShardLayout } from '@neurolift/contracts';

export const SHARDS = 12;
export const LAYOUT: ShardLayout = shardLayout('{nl}', SHARDS);
