// Every set computed too, with fresh athletes: the gym rhythm (50 stations, 8 reps a set, a set every 3 min,
// a new athlete after 20 sets) through the pipeline in the compose shape, timed until every closed set's
// `set` point is acknowledged by the TSDB. Sets/s, CPU per set in the first and last 20 s, lines per set,
// event-loop delay and peak RSS of each process (sets-cli.ts, run-sets.ts).
//
//   npm run bench:sets [-- --messages 200000 --runs 3 --topology services]
import { main } from './sets-cli.js';

main('fresh');
