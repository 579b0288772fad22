make -C path/to/jwks-verify pack   # in a clone of this repository: builds pkg/, writes dist/jwks-verify-0.1.0.tgz
npm install path/to/jwks-verify/dist/jwks-verify-0.1.0.tgz
