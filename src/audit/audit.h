// The audit trail (issue 6): CloudTrail records for every API call and console sign-in,
// written in the same store transaction as the change they record; alert rules in CloudWatch
// Logs filter-pattern syntax, delivered to webhooks from the store's outbox; CloudTrail log
// files with hourly SHA256withRSA-signed digests, and their verification.
//
// This is audit/'s front header: other modules include only this one.
//
// Shape of use (the server wires it; see server/dispatcher.cc and server/app.cc):
//
//   audit::AlertEngine alerts(audit::BuiltinAlertRules(), {"http://hooks.example/alert"});
//   audit::Recorder recorder(store, alerts, clock);          // writer thread for queued events
//   // per call: BuildApiCallRecord(facts, outcome) -> recorder.Prepare/Append in the handler's
//   // transaction, or recorder.Submit for calls that wrote nothing
//   audit::Trail trail(store, &recorder, signing_key, {.audit_dir = data / "audit"}, clock);
//   trail.DeliverLogs(); trail.WriteDigests(/*force=*/false);   // periodically; force on stop
//   audit::WebhookDeliverer(store, {.secret = s}, clock).DeliverDue();  // periodically
//   audit::VerifyTrail({.audit_dir = ..., .public_keys_pem = {...}});   // `rampart audit verify`
//
// Thread-safety and ownership are stated per class in the headers below.
#pragma once

#include "audit/filter_pattern.h"
#include "audit/record.h"
#include "audit/recorder.h"
#include "audit/trail.h"
#include "audit/webhook.h"
