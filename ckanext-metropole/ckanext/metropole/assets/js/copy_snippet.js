/* Copy button of a code snippet (progressive enhancement: the button is
 * hidden until this module runs; the code stays selectable without it).
 * The status element announces "copied" to screen readers.
 *
 *   <div data-module="metropole-copy-snippet" data-module-copied="Copié">
 *     <pre><code>…</code></pre>
 *     <button type="button" hidden>Copier</button>
 *     <span role="status"></span>
 *   </div>
 */
this.ckan.module('metropole-copy-snippet', function ($) {
  return {
    options: {copied: 'Copied', failed: 'Copy failed: select the code and copy it.'},

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.code = this.el.find('code')[0];
      this.status = this.el.find('[role=status]');
      this.el.find('button').removeAttr('hidden').on('click', this._onCopy);
    },

    _onCopy: function () {
      var text = this.code.textContent;
      var announce = this._onAnnounce;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { announce(true); },
          this._onFallback);
      } else {
        this._onFallback();
      }
    },

    _onFallback: function () {
      var range = document.createRange();
      range.selectNodeContents(this.code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var done = false;
      try { done = document.execCommand('copy'); } catch (error) { done = false; }
      this._onAnnounce(done);
    },

    _onAnnounce: function (done) {
      var status = this.status;
      // Emptied first so that a second copy is announced again.
      status.text('');
      window.setTimeout(function () {
        status.text(done ? this.options.copied : this.options.failed);
      }.bind(this), 50);
    }
  };
});
