// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface ITokenLike {
    function transferFrom(address, address, uint256) external returns (bool);
    function transfer(address, uint256) external returns (bool);
}

/// @title SimpleSwapRouter: a fixed-rate swap with Uniswap V2's swapExactTokensForTokens signature.
/// The router holds inventory of every output token; rate is 1:1 scaled by decimals given at deploy.
contract SimpleSwapRouter {
    mapping(address => mapping(address => uint256)) public ratePerUnit; // out per 1e18 in

    function setRate(address tokenIn, address tokenOut, uint256 rate) external {
        ratePerUnit[tokenIn][tokenOut] = rate;
    }

    function swapExactTokensForTokens(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external returns (uint256[] memory amounts) {
        require(block.timestamp <= deadline, "expired");
        require(path.length == 2, "one hop only");
        uint256 out = amountIn * ratePerUnit[path[0]][path[1]] / 1e18;
        require(out >= amountOutMin, "insufficient output");
        ITokenLike(path[0]).transferFrom(msg.sender, address(this), amountIn);
        ITokenLike(path[1]).transfer(to, out);
        amounts = new uint256[](2);
        amounts[0] = amountIn;
        amounts[1] = out;
    }
}
