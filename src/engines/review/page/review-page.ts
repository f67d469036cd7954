/**
 * The review page's script (runs in the browser): a queue of candidate tiles
 * in doubt order, the whole cell with every detection, and the live panel.
 * Keyboard first; every change is sent to the server, which commits it
 * before it answers, and the panel shows the recomputed counts and dose.
 */

export {};

/*
 * The few browser APIs the page uses, declared here: the project compiles for
 * Node without the DOM library, whose global types would leak into every file.
 */
interface PageElement {
  tagName: string;
  textContent: string | null;
  innerHTML: string;
  hidden: boolean;
  value: string;
  src: string;
  dataset: Record<string, string>;
  classList: { toggle(name: string, on: boolean): void };
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  appendChild(child: PageElement): PageElement;
  replaceChildren(...children: PageElement[]): void;
  addEventListener(type: 'click', listener: (event: PointerPosition) => void): void;
  addEventListener(type: 'change', listener: () => void): void;
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
}
interface PointerPosition {
  clientX: number;
  clientY: number;
}
interface KeyPress {
  key: string;
  target: { tagName?: string } | null;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  preventDefault(): void;
}
declare const document: {
  body: PageElement;
  getElementById(id: string): PageElement | null;
  createElementNS(namespace: string, name: string): PageElement;
  addEventListener(type: 'keydown', listener: (event: KeyPress) => void): void;
};
declare const location: { search: string };
declare const Option: new (text: string, value: string) => PageElement;

type Decision = 'accepted' | 'rejected' | 'unreviewed';

interface Candidate {
  id: string;
  image: string;
  class: string;
  x: number;
  y: number;
  votes: number;
  voteFraction: number;
  margin: number;
  entropy: number | null;
  decision: Decision;
}
interface Cell {
  id: string;
  caseId: string | null;
  width: number;
  height: number;
  /** How the detector resized the frame to its training chromosome width (1: not at all). */
  scaleFactor: number;
  included: boolean;
  reason: string | null;
}
interface Added {
  id: number;
  image: string;
  class: string;
  x: number;
  y: number;
}
interface Interval {
  lower: number;
  estimate: number;
  upper: number;
}
interface CasePanel {
  id: string;
  cells: number;
  excluded: number;
  counted: Record<string, number>;
  accepted: Record<string, number>;
  distribution: number[];
  table: { dispersionIndex: number | null; u: number | null; mean: number };
  dose: Interval | null;
  doseError: string | null;
}
interface Panel {
  reviewed: number;
  total: number;
  added: number;
  rule: { aberration: string; requireClass: string | null };
  cases: CasePanel[];
}
interface CaseState {
  reviewer: string;
  classes: string[];
  colours: string[];
  curve: boolean;
  images: Cell[];
  candidates: Candidate[];
  added: Added[];
  panel: Panel;
}
type Undo =
  | { kind: 'decision'; id: string; before: Decision }
  | { kind: 'added'; id: number }
  | { kind: 'cell'; image: string; before: { included: boolean; reason: string | null } };

const token = new URLSearchParams(location.search).get('token') ?? '';
const byId = (id: string) => document.getElementById(id)!;
const status = byId('status');
const undoStack: Undo[] = [];
const blobs = new Map<string, string>();
let state: CaseState;
let current: string | null = null;
/** The cell shown whole (null: the queue is shown). */
let openCell: string | null = null;
let adding = false;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: {
      'x-dicentra-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const text = await response.text();
    let error = text;
    try {
      error = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: show the text as it is
    }
    throw new Error(`${response.status}: ${error}`);
  }
  return response.json() as Promise<T>;
}

/** An image route fetched with the token, as a blob URL an <img> can show. */
async function blobUrl(path: string): Promise<string> {
  const cached = blobs.get(path);
  if (cached) return cached;
  const response = await fetch(path, { headers: { 'x-dicentra-token': token } });
  if (!response.ok) throw new Error(`${response.status}: ${path}`);
  const url = URL.createObjectURL(await response.blob());
  blobs.set(path, url);
  return url;
}

const colourOf = (name: string) => state.colours[state.classes.indexOf(name)] ?? '#000';
const cellOf = (id: string) => state.images.find((image) => image.id === id)!;
const number = (value: number | null, digits: number) =>
  value === null || Number.isNaN(value) ? '—' : value.toFixed(digits);

function queue(): Candidate[] {
  const name = byId('filter-class').value;
  const decision = byId('filter-state').value;
  const low = Number(byId('filter-min').value);
  const high = Number(byId('filter-max').value);
  return state.candidates.filter(
    (candidate) =>
      (!name || candidate.class === name) &&
      (!decision || candidate.decision === decision) &&
      candidate.voteFraction >= low &&
      candidate.voteFraction <= high,
  );
}

function currentCandidate(): Candidate | null {
  return state.candidates.find((candidate) => candidate.id === current) ?? null;
}

function renderPanel(): void {
  const panel = state.panel;
  byId('progress').textContent = `${panel.reviewed}/${panel.total}`;
  const rule = `${panel.rule.aberration}s${panel.rule.requireClass ? ` in cells with a ${panel.rule.requireClass}` : ''}`;
  const rows = panel.cases.map((entry) => {
    const classes = state.classes
      .map(
        (name) =>
          `<tr><th>${name}s</th><td class="counted-${name}">${entry.counted[name] ?? 0}</td><td>accepted <span class="accepted-${name}">${entry.accepted[name] ?? 0}</span></td></tr>`,
      )
      .join('');
    const dose = entry.dose
      ? `${entry.dose.estimate.toFixed(3)} Gy [${entry.dose.lower.toFixed(3)}, ${entry.dose.upper.toFixed(3)}]`
      : (entry.doseError ?? (state.curve ? '—' : 'no curve.json in the case'));
    return `<div data-case="${entry.id}"><h3>Case ${entry.id}</h3><table>
      <tr><th>cells scored</th><td class="cells">${entry.cells}</td><td>excluded <span class="excluded-cells">${entry.excluded}</span></td></tr>
      ${classes}
      <tr><th>C0…C${entry.distribution.length - 1}</th><td colspan="2" class="distribution">${entry.distribution.join(', ')}</td></tr>
      <tr><th>yield</th><td class="yield">${entry.table.mean.toFixed(4)}</td><td>DI <span class="dispersion">${number(entry.table.dispersionIndex, 3)}</span>, u <span class="u">${number(entry.table.u, 2)}</span></td></tr>
      <tr><th>dose (95%)</th><td colspan="2" class="dose">${dose}</td></tr>
    </table></div>`;
  });
  byId('panel').innerHTML =
    `<h2>Counts</h2><p>scored: ${rule}; added ${panel.added}</p>` + rows.join('');
}

async function renderQueue(): Promise<void> {
  const list = queue();
  if (!list.some((candidate) => candidate.id === current)) current = list[0]?.id ?? null;
  const candidate = currentCandidate();
  const position = candidate ? list.indexOf(candidate) + 1 : 0;
  byId('queue-position').textContent = `${position} of ${list.length}`;
  const tile = byId('tile');
  const info = byId('tile-info');
  if (!candidate) {
    tile.removeAttribute('src');
    info.textContent = 'No candidate matches the filters.';
    return;
  }
  const cell = cellOf(candidate.image);
  info.innerHTML =
    `<b style="color:${colourOf(candidate.class)}">${candidate.class}</b> in cell ${candidate.image}` +
    ` · votes ${candidate.votes} (${candidate.voteFraction.toFixed(2)})` +
    (candidate.entropy === null ? '' : ` · entropy ${candidate.entropy.toFixed(3)}`) +
    (cell.scaleFactor === 1
      ? ''
      : ` · <span title="the detector saw this frame resized to its training chromosome width">` +
        `frame resized ×${cell.scaleFactor.toFixed(2)}</span>`) +
    ` · <span class="state-${candidate.decision}" id="tile-state">${candidate.decision}</span>` +
    (cell.included ? '' : ` · <span class="excluded">cell excluded: ${cell.reason}</span>`);
  tile.src = await blobUrl(`/api/tiles/${encodeURIComponent(candidate.id)}`);
}

const svg = (name: string, attributes: Record<string, string | number>) => {
  const element = document.createElementNS('http://www.w3.org/2000/svg', name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
};

async function renderCell(): Promise<void> {
  byId('queue-view').hidden = openCell !== null;
  byId('cell-view').hidden = openCell === null;
  byId('cell-box').classList.toggle('adding', adding);
  if (openCell === null) return;
  const cell = cellOf(openCell);
  const candidate = currentCandidate();
  byId('cell-name').textContent = cell.id;
  byId('cell-state').innerHTML = cell.included
    ? 'included'
    : `<span class="excluded">excluded: ${cell.reason}</span>`;
  byId('cell-image').src = await blobUrl(`/api/images/${encodeURIComponent(cell.id)}`);
  const overlay = byId('cell-overlay');
  overlay.setAttribute('viewBox', `0 0 ${cell.width} ${cell.height}`);
  overlay.replaceChildren();
  const radius = Math.max(3, Math.min(cell.width, cell.height) / 16);
  for (const item of state.candidates.filter((c) => c.image === cell.id)) {
    const circle = svg('circle', {
      cx: item.x,
      cy: item.y,
      r: radius,
      fill: 'none',
      stroke: item.decision === 'rejected' ? '#888' : colourOf(item.class),
      'stroke-width': radius / (item.id === candidate?.id ? 2.5 : 4),
      'stroke-opacity': 0.25 + 0.75 * item.voteFraction,
      'stroke-dasharray': item.decision === 'rejected' ? `${radius / 3}` : 'none',
    });
    circle.appendChild(svg('title', {})).textContent =
      `${item.class}, votes ${item.votes} (${item.voteFraction.toFixed(2)}), ${item.decision}`;
    overlay.appendChild(circle);
  }
  for (const point of state.added.filter((p) => p.image === cell.id)) {
    const s = radius * 0.7;
    overlay.appendChild(
      svg('path', {
        d: `M${point.x - s} ${point.y - s}L${point.x + s} ${point.y + s}M${point.x - s} ${point.y + s}L${point.x + s} ${point.y - s}`,
        stroke: colourOf(point.class),
        'stroke-width': radius / 4,
        class: 'added',
      }),
    );
  }
}

async function render(): Promise<void> {
  renderPanel();
  await renderQueue();
  await renderCell();
}

async function decide(decision: Decision, advance: boolean): Promise<void> {
  const candidate = currentCandidate();
  if (!candidate) return;
  const before = candidate.decision;
  const list = queue();
  const next = list[list.indexOf(candidate) + 1] ?? null;
  const reply = await api<{ panel: Panel }>('POST', '/api/decisions', {
    detection: candidate.id,
    decision,
  });
  candidate.decision = decision;
  state.panel = reply.panel;
  undoStack.push({ kind: 'decision', id: candidate.id, before });
  if (advance && next) current = next.id;
}

function move(step: number): void {
  const list = queue();
  const index = list.findIndex((candidate) => candidate.id === current);
  const target = list[Math.min(Math.max(index + step, 0), list.length - 1)];
  if (target) current = target.id;
}

async function setCell(image: string, included: boolean, reason: string | null): Promise<void> {
  const cell = cellOf(image);
  const reply = await api<{ panel: Panel }>('POST', '/api/cells', {
    image,
    included,
    ...(reason === null ? {} : { reason }),
  });
  cell.included = included;
  cell.reason = reason;
  state.panel = reply.panel;
}

/** The cell a cell action applies to: the one shown whole, else the current candidate's. */
function targetCell(): Cell | null {
  const id = openCell ?? currentCandidate()?.image;
  return id === undefined ? null : cellOf(id);
}

/** Shows the whole cell `step` cells after the one shown (image order). */
function moveCell(step: number): void {
  const index = state.images.findIndex((image) => image.id === openCell);
  const target = state.images[Math.min(Math.max(index + step, 0), state.images.length - 1)];
  if (target) openCell = target.id;
  adding = false;
}

async function toggleCell(): Promise<void> {
  const cell = targetCell();
  if (!cell) return;
  const before = { included: cell.included, reason: cell.reason };
  const reason = byId('exclude-reason').value;
  await setCell(cell.id, !cell.included, cell.included ? reason : null);
  undoStack.push({ kind: 'cell', image: cell.id, before });
}

async function undo(): Promise<void> {
  const last = undoStack.pop();
  if (!last) return;
  if (last.kind === 'decision') {
    const reply = await api<{ panel: Panel }>('POST', '/api/decisions', {
      detection: last.id,
      decision: last.before,
    });
    state.candidates.find((candidate) => candidate.id === last.id)!.decision = last.before;
    state.panel = reply.panel;
    current = last.id;
  } else if (last.kind === 'added') {
    const reply = await api<{ panel: Panel }>('DELETE', `/api/added/${last.id}`);
    state.added = state.added.filter((point) => point.id !== last.id);
    state.panel = reply.panel;
  } else {
    await setCell(last.image, last.before.included, last.before.reason);
  }
}

async function addAt(event: PointerPosition): Promise<void> {
  if (!adding || openCell === null) return;
  const cell = cellOf(openCell);
  const box = byId('cell-image').getBoundingClientRect();
  const x = ((event.clientX - box.left) / box.width) * cell.width;
  const y = ((event.clientY - box.top) / box.height) * cell.height;
  const name = byId('add-class').value;
  const reply = await api<{ id: number; panel: Panel }>('POST', '/api/added', {
    image: cell.id,
    class: name,
    x: Math.round(x * 10) / 10,
    y: Math.round(y * 10) / 10,
  });
  state.added.push({ id: reply.id, image: cell.id, class: name, x, y });
  state.panel = reply.panel;
  undoStack.push({ kind: 'added', id: reply.id });
  adding = false;
}

/** Runs one action, then redraws; an error is shown in the header, never thrown away. */
async function run(action: () => Promise<void> | void): Promise<void> {
  try {
    await action();
    status.textContent = '';
    await render();
  } catch (error) {
    status.textContent = (error as Error).message;
  }
}

function toggleCellView(): void {
  openCell = openCell === null ? (targetCell()?.id ?? state.images[0]?.id ?? null) : null;
  adding = false;
}

const keys: Record<string, () => Promise<void> | void> = {
  a: () => decide('accepted', true),
  r: () => decide('rejected', true),
  u: () => decide('unreviewed', false),
  n: () => move(1),
  ArrowRight: () => move(1),
  p: () => move(-1),
  ArrowLeft: () => move(-1),
  z: undo,
  c: toggleCellView,
  Enter: toggleCellView,
  ']': () => moveCell(1),
  '[': () => moveCell(-1),
  m: () => {
    openCell ??= targetCell()?.id ?? null;
    adding = openCell !== null && !adding;
  },
  x: toggleCell,
  Escape: () => {
    openCell = null;
    adding = false;
  },
};

document.addEventListener('keydown', (event) => {
  if (event.target?.tagName === 'INPUT' || event.altKey || event.metaKey) return;
  if (event.ctrlKey && event.key !== 'z') return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const digit = Number(key);
  if (Number.isInteger(digit) && digit >= 1 && digit <= state.classes.length) {
    byId('add-class').value = state.classes[digit - 1]!;
    return;
  }
  const action = keys[key];
  if (!action) return;
  event.preventDefault();
  void run(action);
});
byId('cell-overlay').addEventListener('click', (event) => void run(() => addAt(event)));
for (const id of ['filter-class', 'filter-state', 'filter-min', 'filter-max']) {
  byId(id).addEventListener('change', () => void run(() => undefined));
}

void run(async () => {
  state = await api<CaseState>('GET', '/api/case');
  byId('reviewer').textContent = state.reviewer;
  for (const name of state.classes) {
    byId('filter-class').appendChild(new Option(name, name));
    byId('add-class').appendChild(new Option(name, name));
  }
  await render();
  document.body.dataset.ready = 'true';
});
