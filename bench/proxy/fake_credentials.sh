# Sourced by bench/proxy.sh, bench/callgrind.sh and bench/ab.sh: fake static credentials with a
# session token, so every request is signed with SigV4 and carries X-Amz-Security-Token, the token
# about as long as the ones STS issues (~1 KB). Nothing here reaches AWS.
export AWS_ACCESS_KEY_ID=AKIDBENCHFAKE0000001
export AWS_SECRET_ACCESS_KEY=benchFakeSecretKey0123456789abcdefghijABCD
AWS_SESSION_TOKEN="IQoJb3JpZ2luX2VjEBench$(printf 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/%.0s' $(seq 26))"
export AWS_SESSION_TOKEN
export AWS_REGION=us-east-1
