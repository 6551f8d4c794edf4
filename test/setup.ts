// Google clients probe the metadata server unless told not to; tests talk only to 127.0.0.1.
process.env.METADATA_SERVER_DETECTION = 'none';
