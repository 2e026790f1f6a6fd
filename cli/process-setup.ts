// Imported first by the CLI entry (bin/sentinel-watch.ts), before any AWS SDK module is loaded.
//
// The AWS SDK prints a NodeVersionSupportWarning on Node < 22 when a client is created: it concerns
// SDK releases after January 2027, while the CLI bundles a pinned SDK, so to a user of
// `sentinel-watch history` it is only noise. The SDK reads the variable when it would warn; a value
// the user set themselves is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
