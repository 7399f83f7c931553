/* Draws GeoJSON extents on a small map: the boxes of a search results page
 * (each linking to its dataset) or the outline of a commune.
 *
 * The map is an enhancement: its element stays hidden without JavaScript,
 * and the page states the same facts in text (results list, commune facts).
 *
 *   <div data-module="metropole-extent-map" hidden
 *        data-module-features="{GeoJSON}" data-module-map_config="{…}">
 *     <div class="metropole-map-canvas"></div>
 *   </div>
 */
this.ckan.module('metropole-extent-map', function ($) {
  return {
    options: {
      features: null,
      map_config: {},
      style: {color: '#1a4f8b', weight: 2, opacity: 1, fillColor: '#1a4f8b', fillOpacity: 0.08}
    },

    initialize: function () {
      var data = this.options.features;
      if (!data || !window.L || (data.features && data.features.length === 0)) {
        return;
      }
      this.el.removeAttr('hidden');
      var canvas = this.el.find('.metropole-map-canvas')[0];
      var map = ckan.commonLeafletMap(canvas, this.options.map_config,
                                      {scrollWheelZoom: false});
      var layer = L.geoJSON(data, {
        style: this.options.style,
        onEachFeature: function (feature, item) {
          var properties = feature.properties || {};
          // Only web links: a javascript: URL from data would run on click.
          if (properties.url && /^(https?:\/\/|\/)/i.test(properties.url)) {
            // A text node, never HTML: titles are user input.
            var link = document.createElement('a');
            link.href = properties.url;
            link.textContent = properties.title || properties.url;
            item.bindPopup(link);
          }
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, {padding: [12, 12], maxZoom: 14, animate: false});
      }
      this.el.attr('data-map-ready', 'true');
    }
  };
});
