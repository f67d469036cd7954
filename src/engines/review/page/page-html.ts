/**
 * The review page: one self-contained HTML document (no framework, nothing
 * fetched from elsewhere); its script, review-page.ts, is compiled with the
 * rest of dicentra and served beside it.
 */
export const REVIEW_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dicentra review</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #f6f6f4; }
  header { display: flex; gap: 1.2em; align-items: center; padding: .5em 1em; background: #fff;
           border-bottom: 1px solid #ddd; flex-wrap: wrap; }
  header h1 { font-size: 1.1em; margin: 0; }
  main { display: grid; grid-template-columns: minmax(360px, 1fr) 360px; gap: 1em; padding: 1em; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8em; }
  #tile { width: 320px; height: 320px; image-rendering: pixelated; background: #000; display: block; }
  #cell-box { position: relative; width: 480px; max-width: 100%; }
  #cell-image { width: 100%; display: block; image-rendering: pixelated; background: #000; }
  #cell-overlay { position: absolute; inset: 0; width: 100%; height: 100%; }
  #cell-box.adding { cursor: crosshair; outline: 3px solid #e69f00; }
  .state-accepted { color: #009e73; font-weight: 600; }
  .state-rejected { color: #b00; font-weight: 600; }
  .state-unreviewed { color: #777; }
  .excluded { color: #b00; font-weight: 600; }
  table { border-collapse: collapse; }
  td, th { padding: 1px 6px; text-align: left; vertical-align: top; }
  kbd { border: 1px solid #bbb; border-radius: 3px; padding: 0 4px; background: #fafafa; }
  footer { padding: 0 1em 1em; color: #555; }
  [hidden] { display: none !important; }
  #status { color: #b00; }
</style>
</head>
<body>
<header>
  <h1>dicentra review</h1>
  <span>reviewed <b id="progress">0/0</b></span>
  <label>class <select id="filter-class"><option value="">all</option></select></label>
  <label>state <select id="filter-state">
    <option value="">all</option><option>unreviewed</option><option>accepted</option><option>rejected</option>
  </select></label>
  <label>vote fraction <input id="filter-min" type="number" min="0" max="1" step="0.05" value="0" size="4">
    – <input id="filter-max" type="number" min="0" max="1" step="0.05" value="1" size="4"></label>
  <span>reviewer <b id="reviewer"></b></span>
  <span id="status" role="status"></span>
</header>
<main>
  <section>
    <div id="queue-view">
      <h2>Queue <small id="queue-position"></small></h2>
      <img id="tile" alt="candidate tile">
      <p id="tile-info"></p>
    </div>
    <div id="cell-view" hidden>
      <h2>Cell <span id="cell-name"></span> <small id="cell-state"></small></h2>
      <div id="cell-box"><img id="cell-image" alt="whole cell"><svg id="cell-overlay"></svg></div>
      <p>
        <label>add class <select id="add-class"></select></label>
        <label>exclusion reason <select id="exclude-reason">
          <option>not a scorable metaphase</option><option>incomplete spread</option>
          <option>overlapping chromosomes</option><option>poor staining</option><option>other</option>
        </select></label>
      </p>
    </div>
  </section>
  <section id="panel" aria-live="polite"></section>
</main>
<footer>
  <kbd>A</kbd> accept · <kbd>R</kbd> reject · <kbd>→</kbd>/<kbd>N</kbd> next · <kbd>←</kbd>/<kbd>P</kbd> previous ·
  <kbd>Z</kbd> undo · <kbd>C</kbd> open or close the whole cell · <kbd>]</kbd>/<kbd>[</kbd> next or previous cell ·
  <kbd>M</kbd> add a missed aberration (then click) ·
  <kbd>1</kbd>–<kbd>9</kbd> class to add · <kbd>X</kbd> exclude or include the cell · <kbd>Esc</kbd> back to the queue
</footer>
<script type="module" src="/review-page.js"></script>
</body>
</html>
`;
