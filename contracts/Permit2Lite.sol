// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IERC20Pull {
    function transferFrom(address, address, uint256) external returns (bool);
}

/// @title Permit2Lite: Permit2's EIP-712 domain, types and entry points (allowance transfer with
/// PermitSingle, signature transfer with PermitTransferFrom), enough for the devnet's phishing examples.
contract Permit2Lite {
    struct PermitDetails {
        address token;
        uint160 amount;
        uint48 expiration;
        uint48 nonce;
    }

    struct PermitSingle {
        PermitDetails details;
        address spender;
        uint256 sigDeadline;
    }

    struct TokenPermissions {
        address token;
        uint256 amount;
    }

    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }

    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    struct PackedAllowance {
        uint160 amount;
        uint48 expiration;
        uint48 nonce;
    }

    bytes32 public constant PERMIT_DETAILS_TYPEHASH =
        keccak256("PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)");
    bytes32 public constant PERMIT_SINGLE_TYPEHASH = keccak256(
        "PermitSingle(PermitDetails details,address spender,uint256 sigDeadline)PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
    );
    bytes32 public constant TOKEN_PERMISSIONS_TYPEHASH = keccak256("TokenPermissions(address token,uint256 amount)");
    bytes32 public constant PERMIT_TRANSFER_FROM_TYPEHASH = keccak256(
        "PermitTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline)TokenPermissions(address token,uint256 amount)"
    );

    mapping(address => mapping(address => mapping(address => PackedAllowance))) public allowance;
    mapping(address => mapping(uint256 => bool)) public usedNonces;

    event Approval(
        address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration
    );
    event Permit(
        address indexed owner,
        address indexed token,
        address indexed spender,
        uint160 amount,
        uint48 expiration,
        uint48 nonce
    );

    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)"),
                keccak256("Permit2"),
                block.chainid,
                address(this)
            )
        );
    }

    function approve(address token, address spender, uint160 amount, uint48 expiration) external {
        PackedAllowance storage a = allowance[msg.sender][token][spender];
        a.amount = amount;
        a.expiration = expiration;
        emit Approval(msg.sender, token, spender, amount, expiration);
    }

    function permit(address owner, PermitSingle calldata permitSingle, bytes calldata signature) external {
        require(block.timestamp <= permitSingle.sigDeadline, "signature expired");
        PermitDetails calldata d = permitSingle.details;
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_SINGLE_TYPEHASH,
                keccak256(abi.encode(PERMIT_DETAILS_TYPEHASH, d.token, d.amount, d.expiration, d.nonce)),
                permitSingle.spender,
                permitSingle.sigDeadline
            )
        );
        _verify(owner, structHash, signature);
        PackedAllowance storage a = allowance[owner][d.token][permitSingle.spender];
        require(a.nonce == d.nonce, "invalid nonce");
        a.amount = d.amount;
        a.expiration = d.expiration;
        a.nonce = d.nonce + 1;
        emit Permit(owner, d.token, permitSingle.spender, d.amount, d.expiration, d.nonce);
    }

    function transferFrom(address from, address to, uint160 amount, address token) external {
        PackedAllowance storage a = allowance[from][token][msg.sender];
        require(a.expiration == 0 || block.timestamp <= a.expiration, "allowance expired");
        if (a.amount != type(uint160).max) {
            require(a.amount >= amount, "insufficient allowance");
            a.amount -= amount;
        }
        IERC20Pull(token).transferFrom(from, to, amount);
    }

    function permitTransferFrom(
        PermitTransferFrom calldata permit_,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes calldata signature
    ) external {
        require(block.timestamp <= permit_.deadline, "signature expired");
        require(transferDetails.requestedAmount <= permit_.permitted.amount, "too much requested");
        require(!usedNonces[owner][permit_.nonce], "nonce used");
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_TRANSFER_FROM_TYPEHASH,
                keccak256(abi.encode(TOKEN_PERMISSIONS_TYPEHASH, permit_.permitted.token, permit_.permitted.amount)),
                msg.sender,
                permit_.nonce,
                permit_.deadline
            )
        );
        _verify(owner, structHash, signature);
        usedNonces[owner][permit_.nonce] = true;
        IERC20Pull(permit_.permitted.token).transferFrom(owner, transferDetails.to, transferDetails.requestedAmount);
    }

    function _verify(address owner, bytes32 structHash, bytes calldata signature) internal view {
        require(signature.length == 65, "invalid signature length");
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR(), structHash));
        address signer = ecrecover(digest, v, r, s);
        require(signer != address(0) && signer == owner, "invalid signer");
    }
}
