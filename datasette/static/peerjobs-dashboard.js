/* peerjobs dashboard renderer (replaces datasette-dashboards' dashboards.js on our pages).
 *
 * Every chart: fetches its query's rows from this site (same host, relative URL), then draws
 * them with Vega-Lite as SVG (an image with an accessible description), a metric card as
 * text, or a message when there is nothing to draw. Texts are inserted with textContent, never
 * as HTML. Placeholders such as {place} in a spec's strings are filled from the page's labels.
 * A spec may name its data "$rows" (e.g. inside a lookup), and "$values:FIELD" stands for the
 * distinct non-null values of FIELD (a legend listing only what is drawn); otherwise the rows
 * are its data. `show_if: field` keeps the rows where that field is not null; a layer's
 * `drop_unless` leaves it out when no row matches;
 * `empty` is the message when no row is left; a `note` column (first row) is shown as a caption.
 */
(function () {
  'use strict';

  function fill(text, labels) {
    return String(text).replace(/\{([a-z_]+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : whole;
    });
  }

  function distinct(rows, field) {
    const seen = [];
    rows.forEach(function (r) {
      if (r[field] !== null && r[field] !== undefined && seen.indexOf(r[field]) < 0) seen.push(r[field]);
    });
    return seen;
  }

  function fillSpec(value, labels, rows) {
    if (value === '$rows') return rows;
    if (typeof value === 'string' && value.indexOf('$values:') === 0) return distinct(rows, value.slice(8));
    if (typeof value === 'string') return fill(value, labels);
    if (Array.isArray(value)) return value.map(function (v) { return fillSpec(v, labels, rows); });
    if (value && typeof value === 'object') {
      const out = {};
      Object.keys(value).forEach(function (k) { out[k] = fillSpec(value[k], labels, rows); });
      return out;
    }
    return value;
  }

  function usesRows(value) {
    if (value === '$rows') return true;
    if (Array.isArray(value)) return value.some(usesRows);
    if (value && typeof value === 'object') return Object.keys(value).some(function (k) { return usesRows(value[k]); });
    return false;
  }

  function paragraph(el, className, text) {
    const p = document.createElement('p');
    p.className = className;
    p.textContent = text;
    el.appendChild(p);
    return p;
  }

  async function rowsOf(config, chart) {
    const url = config.base + encodeURIComponent(chart.db) + '.json?sql=' +
      encodeURIComponent(chart.query) + (config.query_string ? '&' + config.query_string : '') +
      '&_shape=objects';
    const response = await fetch(url, { credentials: 'same-origin' });
    const data = await response.json();
    if (!response.ok || data.ok === false) {
      throw new Error(data.error || ('HTTP ' + response.status));
    }
    return { rows: data.rows || [], truncated: !!data.truncated };
  }

  function metric(el, chart, rows) {
    const row = rows[0] || {};
    const field = (chart.display && chart.display.field) || 'value';
    const value = row[field];
    const text = value === null || value === undefined ? chart.empty : String(value);
    const p = paragraph(el, 'pj-metric-value', text);
    if (!/^[\d$]/.test(text)) p.classList.add('pj-words');
    if (row.note) paragraph(el, 'pj-note', String(row.note));
    el.dataset.state = 'drawn';
  }

  function dropEmptyLegends(value) {
    if (Array.isArray(value)) { value.forEach(dropEmptyLegends); return; }
    if (!value || typeof value !== 'object') return;
    Object.keys(value).forEach(function (k) {
      const v = value[k];
      if (k === 'legend' && v && Array.isArray(v.values) && v.values.length === 0) value[k] = null;
      else dropEmptyLegends(v);
    });
  }

  function dropUnmatchedLayers(spec, rows) {
    // A layer with `drop_unless: {field: value}` is drawn only when some row has that value
    // ("$any": any non-null value): a layer with no data would draw an empty legend.
    if (!Array.isArray(spec.layer)) return;
    spec.layer = spec.layer.filter(function (layer) {
      const wanted = layer.drop_unless;
      delete layer.drop_unless;
      if (!wanted) return true;
      return rows.some(function (r) {
        return Object.keys(wanted).every(function (k) {
          const v = r[k] === undefined ? null : r[k];
          return wanted[k] === '$any' ? v !== null : v === wanted[k];
        });
      });
    });
  }

  async function vegaLite(el, chart, rows, config) {
    const display = chart.display || {};
    let shown = rows;
    if (chart.show_if) {
      shown = rows.filter(function (r) { return r[chart.show_if] !== null && r[chart.show_if] !== undefined; });
    }
    if (!shown.length) {
      paragraph(el, 'pj-empty', chart.empty);
      if (rows[0] && rows[0].note) paragraph(el, 'pj-note', String(rows[0].note));
      el.dataset.state = 'empty';
      return;
    }
    const labels = config.labels;
    const width = el.clientWidth || 600;
    const spec = Object.assign({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      description: chart.title,
      width: 'container',
      height: 260,
      autosize: { type: 'fit-x', contains: 'padding' },
      config: {
        background: null,
        legend: { orient: 'bottom', direction: 'horizontal', columns: width < 520 ? 2 : 3, labelLimit: 220 },
        axis: { labelFontSize: 11, titleFontSize: 12 },
        line: { point: true }
      }
    }, fillSpec(display, labels, shown));
    if (!usesRows(display)) spec.data = { values: shown };
    if (display.aspect) {
      // A map keeps its shape: its height follows the width it is given.
      delete spec.aspect;
      spec.height = Math.min(Math.round(width * display.aspect), display.max_height || 440);
      delete spec.max_height;
    }
    if (display.height && display.height.step) {
      // One band per row (or per distinct value of `per`, for a grid such as source by night):
      // an explicit height keeps autosize "fit-x" (a step height drops it).
      const bands = display.height.per ? distinct(shown, display.height.per).length : shown.length;
      spec.height = display.height.step * bands;
    }
    dropEmptyLegends(spec);
    dropUnmatchedLayers(spec, shown);
    if (config.sample) {
      spec.title = { text: config.sample_short, anchor: 'end', fontSize: 11, color: '#8a6100' };
    }
    const holder = document.createElement('div');
    holder.className = 'pj-vega';
    el.appendChild(holder);
    await vegaEmbed(holder, spec, {
      renderer: 'svg',
      actions: { export: true, source: false, compiled: false, editor: false }
    });
    if (rows[0] && rows[0].note) paragraph(el, 'pj-note', String(rows[0].note));
    el.dataset.state = 'drawn';
  }

  async function draw(config, slug) {
    const chart = config.charts[slug];
    const el = document.getElementById('chart-' + slug);
    if (!el || !chart) return;
    el.dataset.state = 'loading';
    try {
      const result = await rowsOf(config, chart);
      if (chart.library === 'metric') metric(el, chart, result.rows);
      else await vegaLite(el, chart, result.rows, config);
      if (result.truncated) paragraph(el, 'pj-note', 'Only the first ' + config.row_limit + ' rows are drawn.');
    } catch (error) {
      el.textContent = '';
      paragraph(el, 'pj-empty pj-error', 'This chart could not be drawn: ' + error.message);
      el.dataset.state = 'error';
    }
  }

  window.peerjobsDashboard = async function (config) {
    if (window.vega && vega.setRandom) vega.setRandom(vega.randomLCG(0));
    await Promise.all(Object.keys(config.charts).map(function (slug) { return draw(config, slug); }));
    document.body.dataset.charts = 'done';
  };
})();
