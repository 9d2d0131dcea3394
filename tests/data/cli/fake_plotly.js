window.Plotly = {newPlot: function () { return 1 < 2 && true; }};
