package io.saferollout.lab.app;

/** The status and text body a container answers one request with. */
record Reply(int status, String body) {}
