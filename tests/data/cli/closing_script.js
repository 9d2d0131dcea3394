window.Plotly = {};
var end = "</SCRIPT>";
