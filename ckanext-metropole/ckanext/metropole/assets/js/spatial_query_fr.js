/* ckanext-spatial's map search widget, in the page's language and reachable
 * from the keyboard.
 *
 * The widget's strings go through CKAN's JS translations, which know only
 * strings whose source is a .js file listed in a catalogue template, and
 * ckanext-spatial ships none; the template passes them translated
 * server-side and this module puts them in place.
 *
 *   <div data-module="metropole-spatial-query-fr"
 *        data-module-draw="…" data-module-title="…"
 *        data-module-apply="…" data-module-cancel="…" data-module-close="…">
 */
this.ckan.module('metropole-spatial-query-fr', function ($) {
  return {
    options: {draw: '', title: '', apply: '', cancel: '', close: ''},

    initialize: function () {
      $.proxyAll(this, /_on/);
      // The widget draws its button once the DOM is ready, after every
      // module has initialised: this callback, registered later, runs after.
      $(this._onReady);
      // Its dialog is built on first use; Bootstrap's events bubble.
      $(document).on('show.bs.modal', '.modal', this._onDialog);
    },

    /* The draw button is a link without href: no keyboard focus, no name. */
    _onReady: function () {
      var label = this.options.draw;
      $('#dataset-map .leaflet-control-custom-button').each(function () {
        $(this).attr({href: '#', role: 'button', 'aria-label': label, title: label});
        $(this).on('click', function (event) { event.preventDefault(); });
        $(this).find('i').attr('aria-hidden', 'true');
      });
    },

    _onDialog: function (event) {
      var dialog = $(event.target);
      if (!dialog.find('#draw-map-container').length) {
        return;
      }
      // A dialog is named by its title (WCAG 4.1.2).
      dialog.find('.modal-title').text(this.options.title)
        .attr('id', 'metropole-draw-title');
      dialog.attr('aria-labelledby', 'metropole-draw-title');
      dialog.find('.btn-primary.apply').text(this.options.apply);
      dialog.find('.btn-cancel').text(this.options.cancel);
      dialog.find('.btn-close').attr('aria-label', this.options.close);
    }
  };
});
