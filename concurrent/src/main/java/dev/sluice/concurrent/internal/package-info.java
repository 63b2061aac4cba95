/**
 * Internal plumbing shared by the packages of sluice-concurrent (wait queues). Public only
 * because Java has no narrower scope across packages without a module; not an API.
 */
package dev.sluice.concurrent.internal;
