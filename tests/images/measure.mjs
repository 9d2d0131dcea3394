// Measuring a figure's image: the colour of each heatmap cell, and where
// each panel's heatmap and colour bar begin and end. The same measurements
// are taken of plotly.js's screenshot and of trajplot's images, guided by
// the geometry plotly.js reports (geometry.json); images.plotly checks that
// they give back that geometry from plotly.js's own screenshot.
//
// Coordinates are CSS pixels of the figure (its layout's width and height),
// origin top left; an image holds `scale` device pixels per CSS pixel.

// Euclidean distance in RGB.
export function colourDistance(a, b) {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

export const rgbText = (c) => `rgb(${c.slice(0, 3).join(',')})`;

function pixel(image, x, y) {
  const o = (y * image.width + x) * 3;
  return [image.rgb[o], image.rgb[o + 1], image.rgb[o + 2]];
}

const inside = (image, x, y) => x >= 0 && y >= 0 && x < image.width && y < image.height;

// The share of the cell, around its centre, that counts as the cell: the
// cell text is drawn at the centre, so the colour is the one most of these
// pixels have rather than that of the one centre pixel.
const CELL_SAMPLE_FRACTION = 0.6;

// The colour of a cell: the most frequent colour among the pixels of the
// middle of its box (CELL_SAMPLE_FRACTION of its width and height), and the
// share of those pixels that have it.
export function cellColour(image, box, scale) {
  const half = (1 - CELL_SAMPLE_FRACTION) / 2;
  const x0 = Math.ceil((box.left + (box.right - box.left) * half) * scale);
  const x1 = Math.floor((box.right - (box.right - box.left) * half) * scale);
  const y0 = Math.ceil((box.top + (box.bottom - box.top) * half) * scale);
  const y1 = Math.floor((box.bottom - (box.bottom - box.top) * half) * scale);
  const counts = new Map();
  let total = 0;
  for (let y = Math.max(0, y0); y < Math.min(image.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(image.width, x1); x++) {
      const o = (y * image.width + x) * 3;
      const key = (image.rgb[o] << 16) | (image.rgb[o + 1] << 8) | image.rgb[o + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total++;
    }
  }
  let best = -1;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount) [best, bestCount] = [key, count];
  }
  if (best < 0) return { rgb: null, share: 0 };
  return { rgb: [(best >> 16) & 0xff, (best >> 8) & 0xff, best & 0xff], share: bestCount / total };
}

// How far past the expected edge a scan goes looking for it, in CSS
// pixels: less than the gap between a heatmap and its colour bar.
export const EDGE_SEARCH_PX = 8;
// A pixel within this distance of the region's colour still belongs to it:
// above the noise of an encoder or rasteriser, below any edge that can be
// located (an edge between colours closer than twice this is skipped).
const SAME_COLOUR = 24;

// One edge of a region, from scan lines: each starts inside the region
// (`start`, CSS px along the scan), across the edge (`direction` -1 or +1
// along `along`, 'x' or 'y'), at `line` (CSS px across). The region's
// colour is taken at the start; the edge is where the scan leaves it, or
// with `gradient` (a colour bar, whose colour changes along the scan) where
// one pixel differs from the one before by more than SAME_COLOUR. Lines
// whose region is not told apart from what lies beyond are skipped. Returns
// the median edge (CSS px) over the lines that found one, with the count of
// lines used and of lines that found no edge within EDGE_SEARCH_PX of
// `expected`.
export function measureEdge(image, scale, { along, direction, lines, start, expected, gradient = false }) {
  const found = [];
  let missing = 0;
  for (const line of lines) {
    const across = Math.round(line * scale - 0.5);
    let position = Math.round(start * scale - 0.5);
    const limit = Math.round((expected + direction * EDGE_SEARCH_PX) * scale);
    const at = (p) => (along === 'x' ? [p, across] : [across, p]);
    if (!inside(image, ...at(position))) continue;
    const regionColour = pixel(image, ...at(position));
    let previous = regionColour;
    let edge = null;
    while (direction > 0 ? position < limit : position > limit) {
      const next = position + direction;
      if (!inside(image, ...at(next))) break;
      const colour = pixel(image, ...at(next));
      const leaves = gradient ? colourDistance(colour, previous) > SAME_COLOUR
        : colourDistance(colour, regionColour) > SAME_COLOUR;
      if (leaves) {
        edge = direction > 0 ? next : position;
        break;
      }
      previous = colour;
      position = next;
    }
    if (edge === null) {
      missing++;
      continue;
    }
    // Beyond the edge, a colour near the region's own makes the edge a
    // blur of antialiasing rather than a place.
    const beyond = edge + direction * Math.max(2, Math.round(scale * 2)) - (direction > 0 ? 0 : 1);
    const reference = gradient ? previous : regionColour;
    if (inside(image, ...at(beyond)) && colourDistance(pixel(image, ...at(beyond)), reference) <= 2 * SAME_COLOUR) {
      continue;
    }
    found.push(edge / scale);
  }
  if (found.length === 0) return { edge: null, lines: 0, missing };
  found.sort((a, b) => a - b);
  const middle = found.length >> 1;
  const edge = found.length % 2 ? found[middle] : (found[middle - 1] + found[middle]) / 2;
  return { edge, lines: found.length, missing };
}

const spread = (from, to, count) => Array.from({ length: count }, (_, i) => from + ((to - from) * (i + 0.5)) / count);

// Where a panel's heatmap begins and ends: each edge from lines through
// the cells along it, at a sixth and five sixths of each cell (clear of its
// centred text), scanned from a quarter of a cell inside.
export function measureHeatmap(image, scale, panel) {
  const byPosition = (cells, key) => [...cells].sort((a, b) => a.box[key] - b.box[key]);
  const firstColumn = panel.cells.filter((c) => c.column === 0);
  const lastColumn = panel.cells.filter((c) => c.column === panel.columns - 1);
  const topRow = byPosition(panel.cells, 'top').filter((c, _, all) => c.box.top === all[0].box.top);
  const bottomRow = byPosition(panel.cells, 'bottom').reverse().filter((c, _, all) => c.box.bottom === all[0].box.bottom);
  const acrossRows = (cells) => cells.flatMap((c) => [c.box.top + (c.box.bottom - c.box.top) / 6,
    c.box.bottom - (c.box.bottom - c.box.top) / 6]);
  const acrossColumns = (cells) => cells.flatMap((c) => [c.box.left + (c.box.right - c.box.left) / 6,
    c.box.right - (c.box.right - c.box.left) / 6]);
  const cellWidth = (panel.box.right - panel.box.left) / panel.columns;
  const cellHeight = (panel.box.bottom - panel.box.top) / panel.rows;
  const { box } = panel;
  return {
    left: measureEdge(image, scale, { along: 'x', direction: -1, lines: acrossRows(firstColumn),
      start: box.left + cellWidth / 4, expected: box.left }),
    right: measureEdge(image, scale, { along: 'x', direction: 1, lines: acrossRows(lastColumn),
      start: box.right - cellWidth / 4, expected: box.right }),
    top: measureEdge(image, scale, { along: 'y', direction: -1, lines: acrossColumns(topRow),
      start: box.top + cellHeight / 4, expected: box.top }),
    bottom: measureEdge(image, scale, { along: 'y', direction: 1, lines: acrossColumns(bottomRow),
      start: box.bottom - cellHeight / 4, expected: box.bottom }),
  };
}

// Where a colour bar's fill begins and ends: its colour runs from top to
// bottom, so its sides are found along lines at constant colour and its
// ends where the gradient breaks off, each scanned from 4 px inside.
export function measureColorbar(image, scale, fill) {
  const inset = Math.min(4, (fill.right - fill.left) / 4);
  const rows = spread(fill.top + 6, fill.bottom - 6, 9);
  const columns = spread(fill.left + inset, fill.right - inset, 5);
  const centre = (fill.left + fill.right) / 2;
  return {
    left: measureEdge(image, scale, { along: 'x', direction: -1, lines: rows, start: centre, expected: fill.left }),
    right: measureEdge(image, scale, { along: 'x', direction: 1, lines: rows, start: centre, expected: fill.right }),
    top: measureEdge(image, scale, { along: 'y', direction: -1, lines: columns, start: fill.top + inset,
      expected: fill.top, gradient: true }),
    bottom: measureEdge(image, scale, { along: 'y', direction: 1, lines: columns, start: fill.bottom - inset,
      expected: fill.bottom, gradient: true }),
  };
}

// Every measurement of an image, for one figure's geometry.
export function measureFigure(image, geometry) {
  const { scale } = geometry;
  return geometry.panels.map((panel) => ({
    cells: panel.cells.map((cell) => cellColour(image, cell.box, scale)),
    heatmap: measureHeatmap(image, scale, panel),
    colorbar: panel.colorbar?.fill ? measureColorbar(image, scale, panel.colorbar.fill) : null,
  }));
}

export const EDGES = ['left', 'right', 'top', 'bottom'];
