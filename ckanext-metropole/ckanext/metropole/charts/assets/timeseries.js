/* Time series of sensor aggregates, drawn with Plotly.
 *
 * The server sends the series ready to draw (one per sensor, a null point
 * at every gap so that no line crosses missing periods) in a JSON script
 * element; this module only draws them and switches between the hourly and
 * daily series with a radio group (keyboard usable, no custom widget).
 * The accessible alternative is the HTML table next to the chart.
 */
ckan.module('metropole-timeseries', function ($) {
  'use strict';

  var FRENCH = {
    moduleType: 'locale', name: 'fr', dictionary: {},
    format: {
      days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
      shortDays: ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'],
      months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
               'septembre', 'octobre', 'novembre', 'décembre'],
      shortMonths: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août',
                    'sept.', 'oct.', 'nov.', 'déc.'],
      date: '%d/%m/%Y', decimal: ',', thousands: '\u202f'
    }
  };
  var registered = false;

  // Plotly's pseudo-HTML knows only a few entities: &amp; &lt; &gt; are
  // enough, since no tag can open without '<'.
  function escapeText(text) {
    return String(text === null || text === undefined ? '' : text)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  return {
    initialize: function () {
      if (!registered && window.Plotly) { window.Plotly.register(FRENCH); registered = true; }
      var root = this.el[0];
      this.root = root;
      this.data = JSON.parse(root.querySelector('script.metropole-chart-data').textContent);
      this.plot = root.querySelector('.metropole-chart-plot');
      this.lang = (document.documentElement.lang || 'fr').slice(0, 2);
      var self = this;
      var inputs = root.querySelectorAll('input.metropole-chart-period');
      var initial = this.options.period || Object.keys(this.data.periods)[0];
      inputs.forEach(function (input) {
        input.checked = input.value === initial;
        input.addEventListener('change', function () {
          if (input.checked) { self.draw(input.value); }
        });
      });
      this.draw(initial);
    },

    draw: function (period) {
      var chart = this.data.periods[period];
      if (!chart || !window.Plotly) { return; }
      // Plotly reads names and titles as its own pseudo-HTML (links, tags)
      // and hover templates as templates: data are escaped first.
      var traces = chart.series.map(function (s) {
        var name = escapeText(s.name);
        return {
          type: 'scatter', mode: period === 'day' ? 'lines+markers' : 'lines',
          name: name, x: s.x, y: s.y, connectgaps: false,
          hovertemplate: '%{x}<br>%{y}<extra>' + name.replace(/%/g, '&#37;') + '</extra>'
        };
      });
      var xaxis = {type: 'date', hoverformat: period === 'day' ? '%d/%m/%Y' : '%d/%m/%Y %H:%M',
                   tickformat: period === 'day' ? '%-d %b' : '%H:%M<br>%-d %b'};
      if (period === 'day') {
        // whole days between ticks, so a short range never repeats a date
        var xs = [].concat.apply([], chart.series.map(function (s) { return s.x; })).sort();
        var days = xs.length ? (Date.parse(xs[xs.length - 1]) - Date.parse(xs[0])) / 864e5 : 1;
        xaxis.dtick = Math.max(1, Math.ceil(days / 10)) * 864e5;
      }
      var layout = {
        margin: {l: 64, r: 16, t: 16, b: 48},
        height: this.options.height || 380,
        xaxis: xaxis,
        yaxis: {title: {text: escapeText(chart.y_title)}, rangemode: 'tozero'},
        legend: {orientation: 'h', y: -0.2},
        font: {family: 'inherit', size: 13, color: '#212529'}
      };
      var config = {locale: this.lang === 'fr' ? 'fr' : 'en', displayModeBar: false,
                    responsive: true};
      var root = this.root;
      window.Plotly.react(this.plot, traces, layout, config).then(function () {
        root.setAttribute('data-drawn', period);
      });
      root.querySelectorAll('[data-period-table]').forEach(function (table) {
        table.hidden = table.getAttribute('data-period-table') !== period;
      });
      root.querySelectorAll('[data-period-caption]').forEach(function (caption) {
        caption.hidden = caption.getAttribute('data-period-caption') !== period;
      });
    }
  };
});
