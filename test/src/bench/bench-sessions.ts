// The 125-set sessions: 50 stations whose 4 athletes take turns (a set a minute on a station, one every 4 min
// for each athlete), so each athlete's single session grows to ~125 sets; through the pipeline in the compose
// shape, timed until every set point is acknowledged by the TSDB. Sets/s and loss (sets-cli.ts, run-sets.ts).
//
//   npm run bench:sessions [-- --stations 50 --sets-per-athlete 125 --runs 3]
import { main } from './sets-cli.js';

main('sessions');
