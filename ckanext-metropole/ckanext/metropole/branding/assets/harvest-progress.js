/* Harvest source page: "Run now" starts a job through the API
   (harvest_job_create, with the session's CSRF token), then the job's state
   and progress are polled from /harvest/<id>/progress.json and written into
   the page (a live region), without reloading it. */
ckan.module('metropole-harvest-progress', function ($) {
  'use strict';
  var POLL_MS = 2000;
  return {
    options: { source: null, url: null, active: false, labels: {}, i18n: {} },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.el.find('.metropole-run-now').on('click', this._onRun);
      if (this.options.active === true || this.options.active === 'true') { this._schedule(); }
    },

    _format: function (text, values) {
      return text.replace(/\{(\w+)\}/g, function (m, key) { return values[key]; });
    },

    _csrf: function () {
      var field = $('meta[name=csrf_field_name]').attr('content');
      return $('meta[name="' + field + '"]').attr('content');
    },

    _onRun: function () {
      var module = this;
      var button = this.el.find('.metropole-run-now');
      button.prop('disabled', true);
      $.ajax({
        url: this.sandbox.client.url('/api/3/action/harvest_job_create'),
        method: 'POST', contentType: 'application/json', dataType: 'json',
        headers: { 'X-CSRFToken': this._csrf() },
        data: JSON.stringify({ source_id: this.options.source, run: true })
      }).done(function () {
        module.el.find('.metropole-progress-text').text(module.options.i18n.started);
        module._onPoll();
      }).fail(function (xhr) {
        var error = (xhr.responseJSON && xhr.responseJSON.error &&
                     (xhr.responseJSON.error.message || xhr.responseJSON.error.__type)) || xhr.statusText;
        module.el.find('.metropole-progress-text').text(module._format(module.options.i18n.failed, { error: error }));
        button.prop('disabled', false);
      });
    },

    _schedule: function () { window.setTimeout(this._onPoll, POLL_MS); },

    _onPoll: function () {
      $.getJSON(this.options.url).done(this._onProgress).fail(this._schedule);
    },

    _onProgress: function (progress) {
      var label = this.options.labels[progress.status] || progress.status || '';
      var text = (progress.active && !progress.gathered) ? this.options.i18n.gathering
        : this._format(this.options.i18n.objects, { done: progress.done, total: progress.total });
      this.el.find('.metropole-progress-label').text(label);
      this.el.find('.metropole-progress-text').text(' ' + text);
      this.el.find('.metropole-progress-bar').attr({ max: progress.total || 1, value: progress.done });
      this.el.attr('data-status', progress.status || '');
      if (progress.active) {
        this._schedule();
      } else {
        this.el.find('.metropole-run-now').prop('disabled', false);
        this.el.find('.metropole-progress-reload').prop('hidden', false);
      }
    }
  };
});
