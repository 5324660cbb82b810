// @ts-check
/* global document, location, fetch, setTimeout -- browser globals; tsc checks them against the DOM lib */
/**
 * The live coach console: a gym's stations and alerts from the api's event stream, updated in place.
 * Plain DOM, no framework; every text from the server goes through textContent. The token is taken from
 * the page URL and used only to call the API (EventSource cannot send headers, hence `?token=`).
 */

/** @typedef {import('@neurolift/contracts').LiveStation} LiveStation */
/** @typedef {import('@neurolift/contracts').LiveRep} LiveRep */
/** @typedef {import('@neurolift/contracts').AlertMessage} AlertMessage */
/** @typedef {import('@neurolift/contracts').LiveHeartRate} LiveHeartRate */
/** @typedef {{ athletes: Record<string, LiveHeartRate> }} HeartRateEvent */
/** @typedef {{ stations: LiveStation[], alerts: AlertMessage[] }} Snapshot */
/** @typedef {'green' | 'amber' | 'red'} Level */

const MAX_ALERTS = 50;
/** After the server refused the stream for another reason than the token (EventSource gives up then). */
const RETRY_MS = 5_000;
/** Same rule as the alerts: a loss equal to its threshold on paper does not cross it. */
const TOLERANCE = 1e-9;

const params = new URLSearchParams(location.search);
const gymId = params.get('gym') ?? '';
const token = params.get('token') ?? '';

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
function $(selector, root = document) {
  const element = root.querySelector(selector);
  if (!(element instanceof HTMLElement)) throw new Error(`console page: missing ${selector}`);
  return element;
}

const stationsEl = $('[data-stations]');
const alertsEl = $('[data-alerts]');
const emptyEl = $('[data-empty]');
const connectionEl = $('[data-connection]');
const template = /** @type {HTMLTemplateElement} */ ($('[data-station-template]'));
/** @type {Map<string, { card: HTMLElement, station: LiveStation }>} */
const cards = new Map();
/**
 * The fresh heart rate of the athletes (v1.1 `hr` straps and watches), by athlete id: from the snapshot's
 * stations, then replaced by every `heart_rate` event (an athlete absent from it has none now).
 * @type {Map<string, LiveHeartRate>}
 */
const heartRates = new Map();

/** @param {number} value @param {number} decimals */
const fixed = (value, decimals) => (Number.isFinite(value) ? value.toFixed(decimals) : '–');
/** @param {string} id */
const words = (id) => id.replaceAll('_', ' ');
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** @param {number} lossPct @param {LiveStation} station @returns {Level} */
function level(lossPct, station) {
  if (lossPct - station.fatigueRedPct > TOLERANCE) return 'red';
  if (lossPct - station.fatigueAmberPct > TOLERANCE) return 'amber';
  return 'green';
}

/** @param {HTMLElement} card @param {string} name @param {string} text */
function setField(card, name, text) {
  $(`[data-field="${name}"]`, card).textContent = text;
}

/** @param {string} className @param {string} [text] */
function span(className, text = '') {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

/** One bar per rep, scaled to the set's fastest rep so the loss reads at a glance. @param {LiveStation} station */
function repBars(station) {
  const top = Math.max(0.05, ...station.reps.map((rep) => rep.meanVelocity));
  return station.reps.map((rep) => {
    const item = document.createElement('li');
    item.className = 'rep';
    item.dataset['rep'] = String(rep.repIndex);
    item.dataset['velocity'] = String(rep.meanVelocity);
    item.dataset['level'] = level(rep.velocityLossPct ?? 0, station);
    if (rep.partial === true) item.dataset['partial'] = 'true';
    item.title = `Rep ${rep.repIndex}: ${fixed(rep.meanVelocity, 2)} m/s${rep.partial === true ? ' (partial)' : ''}`;
    const track = span('rep-track');
    const bar = span('rep-bar');
    // CSSOM, not a style attribute: the CSP allows the former only.
    bar.style.height = `${Math.max(3, Math.min(100, (rep.meanVelocity / top) * 100))}%`;
    track.append(bar);
    item.append(span('rep-value', fixed(rep.meanVelocity, 2)), track, span('rep-index', String(rep.repIndex)));
    return item;
  });
}

/** @param {HTMLElement} card @param {LiveStation} station */
function fillGauge(card, station) {
  const gauge = $('[data-gauge]', card);
  const loss = station.velocityLossPct;
  const scale = Math.max(station.fatigueRedPct * 1.25, loss, 1);
  gauge.dataset['level'] = level(loss, station);
  gauge.dataset['vl'] = String(loss);
  gauge.title = `Amber above ${fixed(station.fatigueAmberPct, 0)} %, red above ${fixed(station.fatigueRedPct, 0)} %`;
  $('.gauge-fill', gauge).style.width = `${Math.max(0, (loss / scale) * 100)}%`;
  $('[data-mark="amber"]', gauge).style.left = `${(station.fatigueAmberPct / scale) * 100}%`;
  $('[data-mark="red"]', gauge).style.left = `${(station.fatigueRedPct / scale) * 100}%`;
  setField(card, 'vl', `${fixed(loss, 0)} %`);
}

/** "♥ 132 bpm" next to the athlete while their heart rate is fresh. @param {HTMLElement} card @param {string} athleteId */
function fillHeartRate(card, athleteId) {
  const element = $('[data-hr]', card);
  const reading = heartRates.get(athleteId);
  element.hidden = reading === undefined;
  element.dataset['bpm'] = reading === undefined ? '' : String(Math.round(reading.bpm));
  element.textContent = reading === undefined ? '' : `♥ ${fixed(reading.bpm, 0)} bpm`;
  element.title = reading === undefined ? '' : `Heart rate at ${timeFormat.format(reading.ts)}`;
}

/** @param {HTMLElement} card @param {LiveStation} station */
function fillCard(card, station) {
  card.dataset['open'] = String(station.open);
  setField(card, 'station', words(station.stationId));
  setField(card, 'state', station.open ? 'in set' : 'set done');
  // Athlete ids are pseudonymous by protocol: shown as they are, never dressed up as names.
  setField(card, 'athlete', station.athleteId);
  setField(card, 'exercise', words(station.exercise));
  setField(card, 'load', `${fixed(station.loadKg, station.loadKg % 1 === 0 ? 0 : 1)} kg`);
  const reps = $('[data-reps]', card);
  reps.classList.toggle('dense', station.reps.length > 8);
  reps.replaceChildren(...repBars(station));
  fillGauge(card, station);
  const nsi = $('[data-nsi]', card);
  nsi.dataset['nsi'] = station.sessionNsi === undefined ? '' : String(station.sessionNsi);
  nsi.textContent = station.sessionNsi === undefined ? '–' : fixed(station.sessionNsi, 1);
  fillHeartRate(card, station.athleteId);
}

/** @param {HeartRateEvent} event */
function showHeartRates(event) {
  heartRates.clear();
  for (const [athleteId, reading] of Object.entries(event.athletes)) heartRates.set(athleteId, reading);
  for (const { card, station } of cards.values()) fillHeartRate(card, station.athleteId);
}

/** Adds or updates a station's card, keeping the cards in station order. @param {LiveStation} station */
function showStation(station) {
  const known = cards.get(station.stationId);
  // A replayed older state (snapshot and event racing) must not undo a newer one.
  if (known !== undefined && known.station.setId === station.setId && known.station.updatedAt > station.updatedAt) return;
  const card = known?.card ?? /** @type {HTMLElement} */ (template.content.firstElementChild?.cloneNode(true));
  // Station events carry no heart rate (the api adds it to snapshots only): keep the athlete's last one.
  if (station.heartRate !== undefined) heartRates.set(station.athleteId, station.heartRate);
  card.dataset['station'] = station.stationId;
  fillCard(card, station);
  cards.set(station.stationId, { card, station });
  if (known === undefined) {
    const next = [...cards.keys()]
      .filter((id) => id.localeCompare(station.stationId, 'en', { numeric: true }) > 0)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0];
    stationsEl.insertBefore(card, next === undefined ? null : (cards.get(next)?.card ?? null));
  }
  emptyEl.hidden = true;
}

/** Inserts an alert by time, newest first, once per alert id. @param {AlertMessage} alert */
function showAlert(alert) {
  if (alertsEl.querySelector(`[data-alert-id="${alert.id}"]`) !== null) return;
  const item = document.createElement('li');
  item.className = 'alert';
  item.dataset['alertId'] = alert.id;
  item.dataset['alertRule'] = alert.rule;
  item.dataset['severity'] = alert.severity;
  item.dataset['ts'] = String(alert.ts);
  const time = document.createElement('time');
  time.dateTime = new Date(alert.ts).toISOString();
  time.textContent = timeFormat.format(alert.ts);
  const where = alert.stationId === undefined ? '' : words(alert.stationId);
  const message = document.createElement('p');
  message.textContent = alert.message;
  item.append(span('severity', alert.severity), time, span('where', where), message);
  const later = [...alertsEl.children].find((other) => other instanceof HTMLElement && Number(other.dataset['ts']) < alert.ts);
  alertsEl.insertBefore(item, later ?? null);
  while (alertsEl.children.length > MAX_ALERTS) alertsEl.lastElementChild?.remove();
}

/** @param {Snapshot} snapshot */
function showSnapshot(snapshot) {
  cards.clear();
  heartRates.clear();
  stationsEl.replaceChildren(emptyEl);
  emptyEl.hidden = false;
  alertsEl.replaceChildren();
  for (const station of snapshot.stations) showStation(station);
  for (const alert of snapshot.alerts) showAlert(alert);
}

/** @param {'connecting' | 'live' | 'reconnecting' | 'offline'} state */
function setConnection(state) {
  connectionEl.dataset['connection'] = state;
  connectionEl.textContent = state === 'live' ? 'live' : `${state}…`;
}

/** @param {string} error shown above the form, empty for none */
function showLogin(error) {
  const form = $('[data-login]');
  const gymInput = /** @type {HTMLInputElement} */ ($('input[name="gym"]', form));
  gymInput.value = gymId;
  const errorEl = $('[data-login-error]', form);
  errorEl.textContent = error;
  errorEl.hidden = error === '';
  $('[data-console]').hidden = true;
  form.hidden = false;
  (gymId === '' ? gymInput : $('input[name="token"]', form)).focus();
}

const streamPath = `/v1/gyms/${encodeURIComponent(gymId)}/live`;

/** EventSource hides why it was refused: the JSON route says whether the token or the gym was wrong. */
async function explainRefusal() {
  const response = await fetch(`${streamPath}/snapshot`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' }).catch(() => undefined);
  if (response?.status === 401) return showLogin('The token was refused.');
  if (response?.status === 400) return showLogin('This gym id is not valid.');
  // 404: no such gym for this token (another tenant's or gym's looks the same); 403: the token's role.
  if (response?.status === 404) return showLogin('This token has no gym of this id.');
  if (response?.status === 403) return showLogin('This token may not open the console.');
  setConnection('offline');
  setTimeout(connect, RETRY_MS);
}

/** @param {MessageEvent} event */
const data = (event) => /** @type {unknown} */ (JSON.parse(String(event.data)));

function connect() {
  setConnection('connecting');
  const source = new EventSource(`${streamPath}?token=${encodeURIComponent(token)}`);
  source.addEventListener('open', () => setConnection('live'));
  source.addEventListener('snapshot', (event) => showSnapshot(/** @type {Snapshot} */ (data(event))));
  source.addEventListener('station', (event) => showStation(/** @type {LiveStation} */ (data(event))));
  source.addEventListener('alert', (event) => showAlert(/** @type {AlertMessage} */ (data(event))));
  source.addEventListener('heart_rate', (event) => showHeartRates(/** @type {HeartRateEvent} */ (data(event))));
  source.addEventListener('error', () => {
    // CONNECTING: the browser reconnects by itself (and gets a fresh snapshot). CLOSED: it gave up.
    if (source.readyState !== EventSource.CLOSED) return setConnection('reconnecting');
    source.close();
    void explainRefusal();
  });
}

if (gymId === '' || token === '') {
  showLogin('');
} else {
  $('[data-gym]').textContent = gymId;
  $('[data-console]').hidden = false;
  connect();
}
