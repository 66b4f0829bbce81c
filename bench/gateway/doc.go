// Command gateway-bench runs the pieces of bench/gateway/run.sh, which
// measures a whole ninsho process (the built binary started with --config)
// against the same backend reached directly and through nginx:
//
//	gateway-bench backend -listen 127.0.0.1:18081
//	    a trivial backend: 200 {"ok":true} (11 bytes, Content-Length)
//	gateway-bench setup -endpoint http://127.0.0.1:18083 -out DIR
//	    asks the running ninsho, as a client would, for what wrk replays:
//	    DIR/api    the id of the API named "bench" (apigatewayv2 GetApis)
//	    DIR/token  an ID token of bench@example.com (AdminInitiateAuth)
//	    DIR/iam    header lines of GET .../iam signed with SigV4 for
//	               execute-api with a session of role bench-invoker
//	               (sts AssumeRole; the role's policy allows
//	               execute-api:Invoke); a signature holds for 15 minutes
package main
