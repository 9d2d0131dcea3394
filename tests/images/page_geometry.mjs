// Runs in the figure's page, after plotly.js has drawn it: what plotly.js
// drew and where, in CSS pixels from the figure's top left corner. Every
// position comes from the live plot (its layout's plotting area, each
// axis's offset, length and l2p, the colour bars' and texts' boxes in the
// DOM); each cell's colour from the image plotly.js painted the cells into.
export async function readPageGeometry() {
  const gd = document.querySelector('.js-plotly-plot');
  const layout = gd._fullLayout;
  const origin = gd.querySelector('.main-svg').getBoundingClientRect();
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return { left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top };
  };
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const cssColour = (colour) => {
    canvas.width = 1;
    canvas.height = 1;
    context.clearRect(0, 0, 1, 1);
    context.fillStyle = colour;
    context.fillRect(0, 0, 1, 1);
    return [...context.getImageData(0, 0, 1, 1).data];
  };
  const loadImage = (href) => new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the heatmap image did not load'));
    image.src = href;
  });
  const axis = (id) => layout[`${id[0]}axis${id.slice(1)}`];
  const shown = (text) => text.replace(/\u200b/g, '');

  const panels = [];
  for (const [index, trace] of gd._fullData.entries()) {
    const xaxis = axis(trace.xaxis);
    const yaxis = axis(trace.yaxis);
    const brick = gd.calcdata[index][0];
    const rows = brick.z.length;
    const columns = brick.z[0].length;
    const x = (value) => xaxis._offset + xaxis.l2p(value);
    const y = (value) => yaxis._offset + yaxis.l2p(value);
    // Cell edges in data coordinates: plotly.js keeps them as the bricks'
    // x and y, one more than the cells.
    const xEdges = brick.x.length === columns + 1 ? brick.x : null;
    const yEdges = brick.y.length === rows + 1 ? brick.y : null;
    if (!xEdges || !yEdges) throw new Error(`trace ${index}: the bricks have no cell edges`);

    const subplot = gd.querySelector(`g.subplot.${trace.xaxis}${trace.yaxis}`);
    const painted = subplot.querySelector('g.hm image');
    const paintedBox = box(painted);
    const image = await loadImage(painted.getAttribute('href'));
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const paintedColour = ([px, py]) => {
      const ix = Math.min(canvas.width - 1, Math.floor(((px - paintedBox.left) / (paintedBox.right - paintedBox.left)) * canvas.width));
      const iy = Math.min(canvas.height - 1, Math.floor(((py - paintedBox.top) / (paintedBox.bottom - paintedBox.top)) * canvas.height));
      const o = (iy * canvas.width + ix) * 4;
      return [pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3]];
    };

    const cells = [];
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const value = brick.z[row][column];
        const centre = [x(brick.xCenter ? brick.xCenter[column] : column), y(brick.yCenter ? brick.yCenter[row] : row)];
        const [x0, x1] = [x(xEdges[column]), x(xEdges[column + 1])];
        const [y0, y1] = [y(yEdges[row]), y(yEdges[row + 1])];
        cells.push({
          row,
          column,
          value: Number.isFinite(value) ? value : null,
          centre,
          box: { left: Math.min(x0, x1), right: Math.max(x0, x1), top: Math.min(y0, y1), bottom: Math.max(y0, y1) },
          colour: paintedColour(centre),
        });
      }
    }
    const colorbar = gd.querySelector(`g.colorbar.cb${trace.uid}`);
    panels.push({
      trace: index,
      xaxis: { id: trace.xaxis, offset: xaxis._offset, length: xaxis._length },
      yaxis: { id: trace.yaxis, offset: yaxis._offset, length: yaxis._length },
      rows,
      columns,
      box: { left: xaxis._offset, right: xaxis._offset + xaxis._length, top: yaxis._offset, bottom: yaxis._offset + yaxis._length },
      colorscale: trace.colorscale,
      reversescale: trace.reversescale ?? false,
      zmin: trace.zmin,
      zmax: trace.zmax,
      cells,
      colorbar: colorbar ? {
        box: box(colorbar),
        fill: box(colorbar.querySelector('.cbfill')),
        outline: colorbar.querySelector('.cboutline') ? box(colorbar.querySelector('.cboutline')) : null,
        title: shown([...colorbar.querySelectorAll('.cbtitle text')].map((t) => t.textContent).join('')),
      } : null,
    });
  }

  // Every text drawn, with what it is.
  const kind = (text) => {
    if (text.closest('.heatmap-label')) return 'cell label';
    if (text.closest('.cbtitle')) return 'colour bar title';
    if (text.closest('.colorbar')) return 'colour bar tick';
    if (text.closest('.annotation')) return 'panel title';
    if (text.classList.contains('gtitle')) return 'title';
    const className = text.getAttribute('class') ?? '';
    if (/^[xy]\d*title$/.test(className)) return 'axis title';
    const tick = /^([xy])\d*tick$/.exec(text.parentNode?.getAttribute('class') ?? '');
    if (tick) return `${tick[1]} tick label`;
    return 'other';
  };
  const texts = [...gd.querySelectorAll('.main-svg text')]
    .filter((text) => shown(text.textContent) !== '' && !text.closest('.hoverlayer'))
    .map((text) => ({ kind: kind(text), text: shown(text.textContent), box: box(text) }));

  return {
    width: layout.width,
    height: layout.height,
    paper: cssColour(layout.paper_bgcolor),
    plotBackground: cssColour(layout.plot_bgcolor),
    plotArea: {
      left: layout._size.l, top: layout._size.t,
      right: layout._size.l + layout._size.w, bottom: layout._size.t + layout._size.h,
    },
    panels,
    texts,
  };
}
