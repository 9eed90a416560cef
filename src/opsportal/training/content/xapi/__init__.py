"""xAPI statements about learning events, queued durably and sent once to an LRS."""
