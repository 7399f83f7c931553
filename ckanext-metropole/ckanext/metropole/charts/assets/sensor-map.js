/* Sensors of a dashboard on a Leaflet map (ckanext-spatial's common map,
 * basemap from the portal's configuration): one circle per sensor, filled
 * with the colour of its latest value, grey and dashed when it is late.
 * The table below the map says the same in text. */
ckan.module('metropole-sensor-map', function ($) {
  'use strict';
  return {
    options: {mapConfig: {}},
    initialize: function () {
      var root = this.el[0];
      var sensors = JSON.parse(root.querySelector('script.metropole-map-data').textContent);
      var container = root.querySelector('.metropole-sensor-map-canvas');
      var map = ckan.commonLeafletMap(container, this.options.mapConfig,
                                      {scrollWheelZoom: false, attributionControl: true});
      var bounds = [];
      sensors.forEach(function (s) {
        if (s.lat === null || s.lon === null) { return; }
        var marker = L.circleMarker([s.lat, s.lon], {
          radius: 9, weight: s.late ? 3 : 2, color: s.late ? '#3a3a3a' : '#1f1f1f',
          dashArray: s.late ? '3 3' : null, fillColor: s.colour, fillOpacity: 0.9
        }).addTo(map);
        // A text node, never HTML: names and units come from harvested data.
        marker.bindTooltip(document.createTextNode(s.label));
        bounds.push([s.lat, s.lon]);
      });
      if (bounds.length) { map.fitBounds(bounds, {padding: [24, 24], maxZoom: 14}); }
      root.setAttribute('data-markers', String(bounds.length));
    }
  };
});
