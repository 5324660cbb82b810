// The history workload: athletes with weeks of stored sets (default 10 athletes who trained daily for 36
// days, 25 sets a day 3 min apart, 8 reps a set), replayed in time order as fast as the stations' windows
// allow, through the pipeline in the compose shape (TIME_MAX_AGE_MS set to accept the old device times).
// Sets/s over the run, in its first and in its last 20 s, CPU per set in each (does a set cost more once a
// month of history is stored?), lines per set, event-loop delay and peak RSS of every process.
//
//   npm run bench:history [-- --athletes 10 --days 36 --sets-per-day 25 --runs 3]
import { main } from './sets-cli.js';

main('history');
