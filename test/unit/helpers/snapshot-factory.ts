// What the detection and poller tests build their snapshots with: a healthy deployment
// (healthy-snapshot.ts), the faults injected into it (snapshot-faults.ts), and detection run on it
// with test defaults (detect-run.ts). One import for the tests; each part is its own file.

export * from './detect-run';
export * from './healthy-snapshot';
export * from './snapshot-faults';
