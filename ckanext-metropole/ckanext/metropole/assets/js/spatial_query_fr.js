/* ckanext-spatial's map search widget, in the page's language and reachable
 * from the keyboard.
 *
 * The widget's own strings go through CKAN's JS translations, which only
 * know strings whose source is a .js file listed in a catalogue template; the
 * template that renders this element passes them translated server-side, and
 * they are loaded before the widget draws its controls (it does so once the
 * DOM is ready, after every module has initialised).
 *
 *   <div data-module="metropole-spatial-query-fr"
 *        data-module-translations="{msgid: translation}"
 *        data-module-button_label="…"></div>
 */
this.ckan.module('metropole-spatial-query-fr', function ($) {
  return {
    options: {translations: {}, button_label: ''},

    initialize: function () {
      var lang = document.documentElement.lang || 'fr';
      var data = {'': {domain: 'ckan', lang: lang,
                       'plural-forms': 'nplurals=2; plural=(n > 1);',
                       plural_forms: 'nplurals=2; plural=(n > 1);'}};
      $.each(this.options.translations || {}, function (msgid, text) {
        data[msgid] = [null, text];
      });
      ckan.i18n.load(data);
      $.proxyAll(this, /_on/);
      $(this._onReady);
    },

    /* The widget's draw button is a link without href: no keyboard focus,
     * no accessible name. Give it both. */
    _onReady: function () {
      var label = this.options.button_label;
      $('#dataset-map .leaflet-control-custom-button').each(function () {
        $(this).attr({href: '#', role: 'button', 'aria-label': label, title: label});
        $(this).on('click', function (event) { event.preventDefault(); });
        $(this).find('i').attr('aria-hidden', 'true');
      });
    }
  };
});
